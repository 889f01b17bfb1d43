import type { RunningServer, StartOptions } from '@sigstack/server';
import { loadConfig, start } from '@sigstack/server';
import { OidcApp } from './app.js';
import type { OidcConfig } from './config.js';
import { issuerOf, oidcConfigSchema } from './config.js';
import { loadIdentities } from './identities.js';
import { KeyStore } from './keys.js';
import { workloadSecretFile } from './secret-file.js';

export const BANNER = `
  *****************************************************************************
  *  sigstack-oidc is a DEVELOPMENT identity provider. Anyone who can reach it  *
  *  can sign in as any configured user and mint CI workload tokens. Never let  *
  *  a production Fulcio trust it: use your organisation's own IdP instead.     *
  *****************************************************************************
`;

/** The longest workload token (`ttl` is at most an hour), plus clock skew. */
const MAX_TOKEN_LIFETIME_MS = 3_600_000;
const CLOCK_SKEW_MS = 300_000;

export interface RunOptions extends Pick<StartOptions<OidcConfig>, 'signals' | 'exit' | 'logDestination'> {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the start-up banner goes (default stderr). */
  readonly banner?: (text: string) => void;
}

/**
 * Start the provider as `main.ts` does: configuration, identities, keys (made on first
 * start), the workload secret, a loud banner, then the server. Throws ConfigError or
 * IdentitiesError for a bad setup, before anything listens.
 */
export async function runOidc(options: RunOptions = {}): Promise<RunningServer> {
  const config = loadConfig(oidcConfigSchema, options.env ? { env: options.env } : {});
  const identities = loadIdentities(config.IDENTITIES_FILE);
  const keys = await KeyStore.open({
    dir: config.DATA_DIR,
    policy: {
      rotationPeriodMs: config.KEY_ROTATION_PERIOD,
      publishLeadMs: config.KEY_PUBLISH_LEAD,
      retentionMs: Math.max(config.TOKEN_TTL, MAX_TOKEN_LIFETIME_MS) + CLOCK_SKEW_MS,
    },
  });
  const fromFile = config.WORKLOAD_SECRET === undefined ? await workloadSecretFile(config.DATA_DIR) : undefined;
  const workloadSecret = config.WORKLOAD_SECRET ?? fromFile?.secret;
  if (workloadSecret === undefined) throw new Error('no workload secret');
  const app = new OidcApp({ identities, keys, workloadSecret });
  (options.banner ?? ((text) => process.stderr.write(text)))(BANNER);
  const running = await start({
    name: 'oidc',
    config,
    routes: app.routes,
    ...(options.signals !== undefined ? { signals: options.signals } : {}),
    ...(options.exit ? { exit: options.exit } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  running.app.log.warn(
    {
      issuer: issuerOf(config),
      users: identities.users.map((u) => u.id),
      workloads: [...identities.workloads.keys()],
      signingKey: keys.view.signing.kid,
      ...(fromFile ? { workloadSecretFile: fromFile.path } : {}),
    },
    "development identity provider: not for production; a production Fulcio must trust your organisation's own IdP",
  );
  return running;
}
