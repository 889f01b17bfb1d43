import type { ConfigOf } from '@sigstack/server';
import { commonFields, duration, optional, secret, string, url } from '@sigstack/server';

/** The OIDC provider's settings: environment first, then CONFIG_FILE, then these defaults. */
export const oidcConfigSchema = {
  ...commonFields({ port: 5556 }),
  ISSUER_URL: optional(
    url({ description: 'the issuer URL clients really use (default http://HOST:PORT); tokens carry it as `iss`' }),
  ),
  IDENTITIES_FILE: optional(
    string({ description: 'YAML or JSON file listing dev users and workload profiles (default: built-in examples)' }),
  ),
  DATA_DIR: string({
    default: '.sigstack/oidc',
    description: 'folder for the signing keys, cookie keys and the generated workload secret',
  }),
  WORKLOAD_SECRET: optional(
    secret({
      minLength: 16,
      description: 'bearer secret for the workload and GitHub Actions token endpoints (default: generated into DATA_DIR)',
    }),
  ),
  TOKEN_TTL: duration({ default: '5m', description: 'lifetime of ID tokens, for people and workloads' }),
  KEY_ROTATION_PERIOD: duration({
    default: '720h',
    description: 'how long one key signs before the next takes over (0 never rotates)',
  }),
  KEY_PUBLISH_LEAD: duration({
    default: '1h',
    description: 'how long a new key is published in the JWKS before it signs anything',
  }),
};

export type OidcConfig = ConfigOf<typeof oidcConfigSchema>;

/** The issuer: ISSUER_URL as written (minus a trailing slash), else where the server listens. */
export function issuerOf(config: Pick<OidcConfig, 'ISSUER_URL' | 'HOST' | 'PORT'>): string {
  if (config.ISSUER_URL !== undefined) return config.ISSUER_URL.replace(/\/+$/, '');
  const wildcard = config.HOST === '0.0.0.0' || config.HOST === '::';
  const host = wildcard ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}
