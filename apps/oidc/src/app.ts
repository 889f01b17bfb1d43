import type { RoutesPlugin, Secret } from '@sigstack/server';
import type { OidcConfig } from './config.js';
import { issuerOf } from './config.js';
import type { Identities } from './identities.js';
import { registerInteractionRoutes } from './interaction-routes.js';
import type { KeyStore } from './keys.js';
import { ProviderSlot, createProvider } from './provider.js';
import { registerProviderRoutes } from './provider-routes.js';
import { registerWorkloadRoutes } from './workload-routes.js';

export interface OidcAppOptions {
  readonly identities: Identities;
  readonly keys: KeyStore;
  readonly workloadSecret: Secret;
  readonly now?: () => number;
  /** How often the key rotation policy is checked; 0 leaves it to `checkKeys()`. Default 60s. */
  readonly keyCheckMs?: number;
}

/**
 * The OIDC provider as a @sigstack/server routes plugin, plus `checkKeys()`, which applies
 * the rotation policy and swaps in a provider with the new key set when it changed.
 */
export class OidcApp {
  readonly #options: OidcAppOptions;
  #rebuild: (() => void) | undefined;

  constructor(options: OidcAppOptions) {
    this.#options = options;
  }

  async checkKeys(): Promise<boolean> {
    const changed = await this.#options.keys.maintain();
    if (changed) this.#rebuild?.();
    return changed;
  }

  readonly routes: RoutesPlugin<OidcConfig> = async (app, context) => {
    const { config, log, readiness } = context;
    const { identities, keys, workloadSecret } = this.#options;
    const now = this.#options.now ?? Date.now;
    const issuer = issuerOf(config);
    const tokenTtlSeconds = Math.max(1, Math.round(config.TOKEN_TTL / 1000));
    const build = () => createProvider({ issuer, identities, keys: keys.view, cookieKeys: keys.cookieKeys, tokenTtlSeconds, log });
    const slot = new ProviderSlot(issuer, build());
    this.#rebuild = () => {
      slot.replace(build());
      log.info({ signing: keys.view.signing.kid, published: keys.view.published.map((k) => k.kid) }, 'signing keys changed');
    };

    readiness.add('signing-key', () => keys.view.signing.activatesAt <= now());

    await app.register(async (child) => registerProviderRoutes(child, slot));
    await app.register(async (child) => registerInteractionRoutes(child, slot, identities));
    registerWorkloadRoutes(app, { issuer, identities, keys, secret: workloadSecret, tokenTtlSeconds, now });

    const every = this.#options.keyCheckMs ?? 60_000;
    if (every > 0) {
      const timer = setInterval(() => {
        this.checkKeys().catch((err: unknown) => log.error({ err }, 'key rotation failed; the current keys stay in use'));
      }, every);
      timer.unref();
      app.addHook('onClose', async () => clearInterval(timer));
    }
  };
}
