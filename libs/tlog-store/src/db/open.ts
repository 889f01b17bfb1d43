import type { SqlDatabase } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface DatabaseOptions {
  /** PostgreSQL connection string; when set, it wins over the embedded store. */
  url?: string | undefined;
  /** PGlite data folder for the embedded store; omitted means in memory. */
  dataDir?: string | undefined;
}

/** PostgreSQL when a URL is configured (production), otherwise embedded PGlite. */
export function openDatabase(options: DatabaseOptions): Promise<SqlDatabase> {
  return options.url ? openPostgres({ url: options.url }) : openPglite({ dataDir: options.dataDir });
}
