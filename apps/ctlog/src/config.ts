import { boolean, commonFields, duration, integer, oneOf, optional, secret, string } from '@sigstack/server';
import type { ConfigOf } from '@sigstack/server';

/** Every setting of the CT log, by environment variable (docs/ctlog.md lists them). */
export const configSchema = {
  ...commonFields({ port: 6962 }),
  CTLOG_ROOTS: string({ description: 'PEM file of the root certificates accepted chains must end in (the deployment\'s Fulcio roots)' }),
  DATABASE_URL: optional(secret({ description: 'PostgreSQL connection string; unset means the embedded PGlite store in DATA_DIR' })),
  DATA_DIR: string({ default: '.ctlog-data', description: 'folder for the embedded database and a generated dev key' }),
  CTLOG_KEY_FILE: optional(string({ description: 'log private key (PEM PKCS#8 or SEC1, ECDSA P-256); default DATA_DIR/ctlog-key.pem' })),
  CTLOG_GENERATE_KEY: boolean({ default: true, description: 'generate a missing key into DATA_DIR on first start (dev); false makes a missing key fatal' }),
  CTLOG_PREFIX: optional(string({ description: 'URL path prefix before /ct/v1, e.g. "2022" for https://ctfe.example/2022/ct/v1/...' })),
  CTLOG_LOG_NAME: string({ default: 'ctlog', description: 'the log\'s name in the database (several logs may share one)' }),
  CTLOG_MAX_CHAIN: integer({ min: 1, max: 16, default: 5, description: 'most certificates accepted in a submitted chain' }),
  CTLOG_MAX_GET_ENTRIES: integer({ min: 1, max: 10000, default: 256, description: 'most entries one get-entries answer holds' }),
  CTLOG_ACK: oneOf(['intake', 'sequenced'] as const, {
    default: 'intake',
    description: 'answer with the SCT once the submission is durable (intake; sequenced into the tree within one batch) or once it is in a committed tree (sequenced)',
  }),
  CTLOG_SEQUENCE_INTERVAL: duration({
    default: '50ms',
    description: 'with CTLOG_ACK=intake, how long the sequencer gathers answered submissions into one batch; bounds the merge delay',
  }),
  BATCH_MAX_SIZE: integer({ min: 1, max: 4096, default: 256, description: 'entries sequenced per batch (one transaction, one STH)' }),
  BATCH_MAX_AGE: duration({ default: '0ms', description: 'longest an entry waits for its batch to fill; 0 = group commit only' }),
  MAX_PENDING: integer({ min: 1, default: 8192, description: 'entries waiting beyond which submissions get 503 + Retry-After' }),
};

export type CtlogConfig = ConfigOf<typeof configSchema>;
