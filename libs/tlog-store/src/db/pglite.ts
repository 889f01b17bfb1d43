import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { LogStoreError, causeMessage } from '../errors.js';
import type { SqlDatabase, SqlExecutor } from './database.js';

export interface PgliteOptions {
  /** Folder for the data files; omitted means in memory (tests). */
  dataDir?: string;
}

const BYTEA = 17;

/**
 * PGlite's own bytea codec converts byte by byte in JavaScript (about 10 ms per 64 KiB),
 * which made bytes, not statements, the cost of a log batch. Buffer's native hex codec
 * does the same conversion in microseconds, in PostgreSQL's '\x' hex text format, so the
 * stored bytes are the same.
 */
const serializers = {
  [BYTEA]: (value: unknown): string => {
    if (!(value instanceof Uint8Array)) throw new TypeError('bytea parameters must be bytes');
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  },
};
const parsers = {
  [BYTEA]: (text: string): Uint8Array => {
    const bytes = Buffer.from(text.slice(2), 'hex');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
};

/** Opens the embedded PostgreSQL (PGlite): the default store for local stacks and tests. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlDatabase> {
  try {
    // PGlite makes only the last folder of the path: a fresh DATA_DIR needs its parents too.
    if (options.dataDir !== undefined && !options.dataDir.includes('://')) mkdirSync(options.dataDir, { recursive: true });
    const db = new PGlite(options.dataDir, { serializers, parsers });
    await db.waitReady;
    return new PgliteDatabase(db);
  } catch (cause) {
    throw new LogStoreError('STORAGE', `cannot open the embedded database: ${causeMessage(cause)}`, { cause });
  }
}

interface Queryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite';
  constructor(private readonly db: PGlite) {}

  // One connection: statements already run in the order issued (`inOrder` holds as is).
  query<Row>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return run<Row>(this.db, text, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work({ query: (text, params = []) => run(tx, text, params) }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

async function run<Row>(target: Queryable, text: string, params: readonly unknown[]): Promise<Row[]> {
  try {
    const result = await target.query<Row>(text, params as unknown[]);
    return result.rows;
  } catch (cause) {
    throw new LogStoreError('STORAGE', `database statement failed: ${causeMessage(cause)}`, { cause });
  }
}
