import pg from 'pg';
import { LogStoreError, causeMessage } from '../errors.js';
import type { QueryOptions, SqlDatabase, SqlExecutor } from './database.js';

export interface PostgresOptions {
  /** A `postgres://` connection string (DATABASE_URL). */
  url: string;
  /** Pool size; the sequencer holds one connection per batch, readers share the rest. */
  maxConnections?: number;
}

/** Connects to PostgreSQL through a `pg` pool. The URL (and its password) never appears in errors. */
export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  // A pool emits 'error' when an idle connection dies; without a listener that kills the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new LogStoreError('STORAGE', `cannot connect to PostgreSQL: ${causeMessage(cause)}`, { cause });
  }
  // One more connection for `inOrder` statements: a pool of one hands its connection to
  // waiters first come, first served, and reconnects after a connection dies.
  const writer = new pg.Pool({ connectionString: options.url, max: 1 });
  writer.on('error', () => undefined);
  return new PostgresDatabase(pool, writer);
}

class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres';
  constructor(
    private readonly pool: pg.Pool,
    private readonly writer: pg.Pool,
  ) {}

  async query<Row>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<Row[]> {
    return run<Row>(options.inOrder ? this.writer : this.pool, text, params, options);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((cause: unknown) => {
      throw new LogStoreError('STORAGE', `cannot connect to PostgreSQL: ${causeMessage(cause)}`, { cause });
    });
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work({ query: (text, params = [], options = {}) => run(client, text, params, options) });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.writer.end()]);
  }
}

async function run<Row>(target: pg.Pool | pg.PoolClient, text: string, params: readonly unknown[], options: QueryOptions): Promise<Row[]> {
  try {
    const result = options.prepare
      ? await target.query({ name: options.prepare, text, values: params as unknown[] })
      : await target.query(text, params as unknown[]);
    return result.rows as Row[];
  } catch (cause) {
    throw new LogStoreError('STORAGE', `database statement failed: ${causeMessage(cause)}`, { cause });
  }
}
