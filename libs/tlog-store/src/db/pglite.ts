import { PGlite } from '@electric-sql/pglite';
import { LogStoreError, causeMessage } from '../errors.js';
import type { SqlDatabase, SqlExecutor } from './database.js';

export interface PgliteOptions {
  /** Folder for the data files; omitted means in memory (tests). */
  dataDir?: string;
}

/** Opens the embedded PostgreSQL (PGlite): the default store for local stacks and tests. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlDatabase> {
  try {
    const db = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
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
