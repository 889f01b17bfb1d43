export { BatchQueue, type BatchQueueOptions } from './batch-queue.js';
export type { QueryOptions, SqlDatabase, SqlExecutor } from './db/database.js';
export { openDatabase, type DatabaseOptions } from './db/open.js';
export { openPglite, type PgliteOptions } from './db/pglite.js';
export { openPostgres, type PostgresOptions } from './db/postgres.js';
export { migrate } from './db/schema.js';
export { LogStoreError, type LogStoreErrorCode } from './errors.js';
export { loadLogKey, type LogKeySource } from './key-file.js';
export {
  TransparencyLog,
  type AppendResult,
  type CheckpointSigner,
  type EntryInput,
  type StoredEntry,
  type TransparencyLogOptions,
  type TreeHead,
} from './log.js';
export type { TileKey } from './tile-store.js';
