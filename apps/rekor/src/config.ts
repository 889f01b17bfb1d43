import { boolean, commonFields, duration, integer, oneOf, optional, secret, string, type ConfigOf } from '@sigstack/server';

/** Every setting of the Rekor server, by environment variable (docs/rekor.md lists them). */
export const configSchema = {
  ...commonFields({ port: 3000 }),
  DATABASE_URL: optional(secret({ description: 'PostgreSQL connection string; unset means the embedded PGlite store in DATA_DIR' })),
  DATA_DIR: string({ default: '.rekor-data', description: 'folder for the embedded database and generated dev keys' }),
  REKOR_HOSTNAME: optional(string({ description: 'v1 checkpoint signer name and origin prefix; must appear in the URL clients use (default: HOST, or localhost)' })),
  REKOR_TREE_ID: optional(string({ description: 'v1 tree ID (decimal int64); default derived from the log key' })),
  REKOR_KEY_FILE: optional(string({ description: 'v1 log private key (PEM: PKCS#8 or SEC1; ECDSA P-256 or Ed25519)' })),
  REKOR_KEY_TYPE: oneOf(['ecdsa-p256', 'ed25519'] as const, { default: 'ecdsa-p256', description: 'type of a generated v1 key' }),
  REKOR_GENERATE_KEYS: boolean({ default: true, description: 'generate missing keys into DATA_DIR on first start (dev); false makes a missing key file fatal' }),
  REKOR_V2_ENABLED: boolean({ default: true, description: 'host the Rekor v2 (rekor-tiles) log beside the v1 log' }),
  REKOR_V2_ORIGIN: optional(string({ description: 'v2 checkpoint origin and signer name (default HOSTNAME:PORT)' })),
  REKOR_V2_KEY_FILE: optional(string({ description: 'v2 log private key (PEM; Ed25519 or ECDSA P-256)' })),
  REKOR_V2_KEY_TYPE: oneOf(['ed25519', 'ecdsa-p256'] as const, { default: 'ed25519', description: 'type of a generated v2 key' }),
  BATCH_MAX_SIZE: integer({ min: 1, max: 4096, default: 256, description: 'entries sequenced per batch (one transaction, one checkpoint)' }),
  BATCH_MAX_AGE: duration({ default: '0ms', description: 'longest an entry waits for its batch to fill; 0 = group commit only' }),
  MAX_PENDING: integer({ min: 1, default: 8192, description: 'entries waiting beyond which writes get 503 + Retry-After' }),
  DB_POOL_SIZE: integer({ min: 2, max: 100, default: 10, description: 'PostgreSQL connections' }),
};

export type RekorConfig = ConfigOf<typeof configSchema>;
