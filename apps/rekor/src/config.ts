import { boolean, commonFields, duration, integer, oneOf, optional, secret, size, string, type ConfigOf, type Field, type Parsed } from '@sigstack/server';

/** An earlier v1 log key: entries integrated before `until` were signed with it. */
export interface RetiredKeySpec {
  readonly file: string;
  readonly until: Date;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `FILE@TIME` items, oldest first: comma-separated in the environment, a list (or the same
 * string) in a config file. TIME is RFC 3339 and the times must increase.
 */
function parseRetiredKeys(raw: unknown): Parsed<readonly RetiredKeySpec[]> {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(items) || !items.every((i): i is string => typeof i === 'string' && i.length > 0)) {
    return { ok: false, problem: 'must be FILE@TIME items separated by commas (or a list of them)' };
  }
  const out: RetiredKeySpec[] = [];
  for (const item of items) {
    const at = item.lastIndexOf('@');
    const file = item.slice(0, at);
    const time = item.slice(at + 1);
    if (at < 1 || !RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
      return { ok: false, problem: `${JSON.stringify(item)} is not FILE@TIME with an RFC 3339 time (e.g. keys/old.pem@2026-01-31T12:00:00Z)` };
    }
    const until = new Date(time);
    const previous = out.at(-1);
    if (previous !== undefined && until.getTime() <= previous.until.getTime()) {
      return { ok: false, problem: 'the times must increase (oldest key first)' };
    }
    out.push({ file, until });
  }
  return { ok: true, value: out };
}

const retiredKeys = (description: string): Field<readonly RetiredKeySpec[]> => ({
  kind: 'retired keys',
  description,
  secret: false,
  optional: true,
  hasDefault: true,
  defaultValue: [],
  parse: parseRetiredKeys,
});

/** Every setting of the Rekor server, by environment variable (docs/rekor.md lists them). */
export const configSchema = {
  ...commonFields({ port: 3000 }),
  DATABASE_URL: optional(secret({ description: 'PostgreSQL connection string; unset means the embedded PGlite store in DATA_DIR' })),
  DATA_DIR: string({ default: '.rekor-data', description: 'folder for the embedded database and generated dev keys' }),
  REKOR_HOSTNAME: optional(string({ description: 'v1 checkpoint signer name and origin prefix; must appear in the URL clients use (default: HOST, or localhost)' })),
  REKOR_TREE_ID: optional(string({ description: 'v1 tree ID (decimal int64); default derived from the first log key (the oldest retired one, else REKOR_KEY_FILE)' })),
  REKOR_KEY_FILE: optional(string({ description: 'v1 log private key (PEM: PKCS#8 or SEC1; ECDSA P-256 or Ed25519)' })),
  REKOR_RETIRED_KEYS: retiredKeys('earlier v1 log keys, oldest first, as FILE@TIME (entries integrated before TIME were signed with that key); comma-separated'),
  REKOR_KEY_TYPE: oneOf(['ecdsa-p256', 'ed25519'] as const, { default: 'ecdsa-p256', description: 'type of a generated v1 key' }),
  REKOR_GENERATE_KEYS: boolean({ default: true, description: 'generate missing keys into DATA_DIR on first start (dev); false makes a missing key file fatal' }),
  REKOR_V2_ENABLED: boolean({ default: true, description: 'host the Rekor v2 (rekor-tiles) log beside the v1 log' }),
  REKOR_V2_ORIGIN: optional(string({ description: 'v2 checkpoint origin and signer name (default HOSTNAME:PORT)' })),
  REKOR_V2_KEY_FILE: optional(string({ description: 'v2 log private key (PEM; Ed25519 or ECDSA P-256)' })),
  REKOR_V2_KEY_TYPE: oneOf(['ed25519', 'ecdsa-p256'] as const, { default: 'ed25519', description: 'type of a generated v2 key' }),
  BATCH_MAX_SIZE: integer({ min: 1, max: 4096, default: 256, description: 'entries sequenced per batch (one transaction, one checkpoint)' }),
  BATCH_MAX_AGE: duration({ default: '0ms', description: 'longest an entry waits for its batch to fill; 0 = group commit only' }),
  BATCH_IN_FLIGHT: integer({ min: 1, max: 2, default: 2, description: 'batches being written at once: 2 sends the next batch behind the one committing' }),
  MAX_PENDING: integer({ min: 1, default: 8192, description: 'entries waiting beyond which writes get 503 + Retry-After' }),
  TILE_CACHE_SIZE: size({ min: 0, default: '64MiB', description: 'memory per log for stored tiles serving proofs (least recently used out); 0 turns the cache off' }),
  ADMISSION_THREADS: integer({ min: 0, max: 64, default: 1, description: 'worker threads checking entries (signatures, keys, canonical bodies); 0 checks them on the main thread' }),
  DB_POOL_SIZE: integer({ min: 2, max: 100, default: 10, description: 'PostgreSQL connections' }),
};

export type RekorConfig = ConfigOf<typeof configSchema>;
