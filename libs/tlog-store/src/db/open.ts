import type { SqlDatabase } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface DatabaseOptions {
  /** PostgreSQL connection string; when set, it wins over the embedded store. */
  url?: string | undefined;
  /** PGlite data folder for the embedded store; omitted means in memory. */
  dataDir?: string | undefined;
  /** PostgreSQL pool size (the sequencer holds one connection per batch, readers share the rest). */
  maxConnections?: number | undefined;
}

/** PostgreSQL when a URL is configured (production), otherwise embedded PGlite. */
export function openDatabase(options: DatabaseOptions): Promise<SqlDatabase> {
  if (!options.url) return openPglite({ dataDir: options.dataDir });
  return openPostgres({ url: options.url, ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}) });
}
