import { PGlite } from '@electric-sql/pglite';
import { LogStoreError } from '@sigstack/tlog-store';
import type { SqlDatabase, SqlExecutor } from '@sigstack/tlog-store';

const BYTEA = 17;

/**
 * PGlite's built-in bytea codec converts byte by byte in JavaScript (Array.from + map +
 * join, parseInt per byte): about 10 ms per 64 KiB on this hardware, which made bytes,
 * not statements, the cost of every CT batch (leaves are ~2 KiB certificates, tiles 8 KiB).
 * Buffer's native hex codec does the same conversion in microseconds. Both directions keep
 * PostgreSQL's '\x' hex text format, so the stored bytes are the same.
 */
const serializers = {
  [BYTEA]: (value: unknown): string => {
    if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  },
};
const parsers = {
  [BYTEA]: (text: string): Uint8Array => {
    const bytes = Buffer.from(text.slice(2), 'hex');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
};

/**
 * The embedded database, as @sigstack/tlog-store's openPglite opens it, but with the
 * fast bytea codec above (the store takes any SqlDatabase).
 */
export async function openFastPglite(dataDir?: string): Promise<SqlDatabase> {
  try {
    const db = new PGlite(dataDir, { serializers, parsers });
    await db.waitReady;
    return new PgliteDatabase(db);
  } catch (cause) {
    throw new LogStoreError('STORAGE', `cannot open the embedded database: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface Queryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite';
  constructor(private readonly db: PGlite) {}

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
    throw new LogStoreError('STORAGE', `database statement failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
