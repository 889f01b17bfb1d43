import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, parseConfig } from '@sigstack/server';
import { freePort } from '@sigstack/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { OidcApp } from '../src/app.js';
import type { OidcConfig } from '../src/config.js';
import { oidcConfigSchema } from '../src/config.js';
import type { Identities } from '../src/identities.js';
import { loadIdentities } from '../src/identities.js';
import type { KeyPolicy } from '../src/keys.js';
import { KeyStore } from '../src/keys.js';

export const SECRET = 'test-workload-secret-0123456789';
export const ISSUER = 'http://issuer.test';

export const POLICY: KeyPolicy = { rotationPeriodMs: 0, publishLeadMs: 60_000, retentionMs: 3_900_000 };

export interface TestServer {
  readonly app: FastifyInstance;
  readonly oidc: OidcApp;
  readonly keys: KeyStore;
  readonly config: OidcConfig;
  readonly dir: string;
  close(): Promise<void>;
}

const made: string[] = [];
// Every test file that makes data dirs removes them when it ends.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigstack-oidc-'));
  made.push(dir);
  return dir;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  readonly identities?: Identities;
  readonly dir?: string;
  readonly now?: () => number;
  readonly policy?: KeyPolicy;
}

/** A built (not listening) server over a fresh data dir, for inject() tests. */
export async function testServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? tempDir();
  const config = parseConfig(oidcConfigSchema, {
    env: { LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: dir, ISSUER_URL: ISSUER, WORKLOAD_SECRET: SECRET, ...options.env },
  });
  const now = options.now ?? Date.now;
  const keys = await KeyStore.open({ dir, policy: options.policy ?? POLICY, now });
  const oidc = new OidcApp({ identities: options.identities ?? loadIdentities(undefined), keys, workloadSecret: config.WORKLOAD_SECRET!, now, keyCheckMs: 0 });
  const app = await build({ name: 'oidc', config, routes: oidc.routes });
  return {
    app,
    oidc,
    keys,
    config,
    dir,
    async close() {
      await app.close();
    },
  };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Cookies as a browser would keep them between requests (name=value only; enough here). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A server listening on a real socket, its issuer being the URL it listens on. */
export async function listeningServer(options: TestServerOptions = {}): Promise<TestServer & { readonly url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await testServer({ ...options, env: { PORT: String(port), ISSUER_URL: url, ...options.env } });
  await server.app.listen({ host: '127.0.0.1', port });
  return { ...server, url };
}
