import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { ConfigError, type RoutesPlugin } from '@sigstack/server';
import { migrate, openDatabase, type BatchQueueOptions, type SqlDatabase } from '@sigstack/tlog-store';
import { openAdmission } from './admission.js';
import type { RekorConfig } from './config.js';
import { loadLogKey } from './keys.js';
import { KeyHistoryError, openV1Log, openV2Log, type RetiredKey, type V1Log, type V2Log } from './logs.js';
import { registerV1 } from './v1/routes.js';
import { registerV2 } from './v2/routes.js';

export interface RekorLogs {
  readonly db: SqlDatabase;
  readonly v1: V1Log;
  readonly v2: V2Log | undefined;
}

export interface OpenRekorOptions {
  /** An open, migrated database (tests share one); default: from DATABASE_URL or DATA_DIR. */
  readonly db?: SqlDatabase;
  readonly clock?: () => number;
}

/** The name the v1 log signs its checkpoints with, and the default v2 origin. */
export function hostnameOf(config: RekorConfig): string {
  if (config.REKOR_HOSTNAME) return config.REKOR_HOSTNAME;
  return config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
}

/** Opens the database, the keys and both logs, as configured. */
export async function openRekor(config: RekorConfig, options: OpenRekorOptions = {}): Promise<RekorLogs> {
  const db =
    options.db ??
    (await openDatabase({ url: config.DATABASE_URL?.reveal(), dataDir: join(config.DATA_DIR, 'pglite'), maxConnections: config.DB_POOL_SIZE }));
  try {
    if (!options.db) await migrate(db);
    const batch: Partial<BatchQueueOptions> = {
      maxBatchSize: config.BATCH_MAX_SIZE,
      maxBatchAgeMs: config.BATCH_MAX_AGE,
      maxInFlight: config.BATCH_IN_FLIGHT,
      maxPending: Math.max(config.MAX_PENDING, config.BATCH_MAX_SIZE),
    };
    const hostname = hostnameOf(config);
    const v1Key = await loadLogKey({
      file: config.REKOR_KEY_FILE ?? join(config.DATA_DIR, 'rekor-v1-key.pem'),
      type: config.REKOR_KEY_TYPE,
      generate: config.REKOR_GENERATE_KEYS && config.REKOR_KEY_FILE === undefined,
    });
    const retired: RetiredKey[] = [];
    for (const spec of config.REKOR_RETIRED_KEYS) {
      retired.push({ key: await loadLogKey({ file: spec.file, type: config.REKOR_KEY_TYPE, generate: false }), until: spec.until.getTime(), name: spec.file });
    }
    const shared = { ...(options.clock ? { clock: options.clock } : {}), tileCacheBytes: config.TILE_CACHE_SIZE };
    const v1 = await openV1Log({ db, key: v1Key, hostname, treeId: config.REKOR_TREE_ID, batch, retired, ...shared }).catch((err: unknown) => {
      // A key history that does not match the log is the operator's to fix: one line.
      if (err instanceof KeyHistoryError) throw new ConfigError([{ key: 'REKOR_RETIRED_KEYS', source: 'env', message: `REKOR_RETIRED_KEYS: ${err.message}` }]);
      throw err;
    });
    let v2: V2Log | undefined;
    if (config.REKOR_V2_ENABLED) {
      const v2Key = await loadLogKey({
        file: config.REKOR_V2_KEY_FILE ?? join(config.DATA_DIR, 'rekor-v2-key.pem'),
        type: config.REKOR_V2_KEY_TYPE,
        generate: config.REKOR_GENERATE_KEYS && config.REKOR_V2_KEY_FILE === undefined,
      });
      v2 = await openV2Log({ db, key: v2Key, origin: config.REKOR_V2_ORIGIN ?? `${hostname}:${config.PORT}`, batch, ...shared });
    }
    return { db, v1, v2 };
  } catch (err) {
    if (!options.db) await db.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The Rekor routes over opened logs, with ADMISSION_THREADS workers checking entries. On
 * close the logs flush what they accepted, then the workers stop and the database closes
 * (when `ownsDb`).
 */
export function rekorRoutes(logs: RekorLogs, ownsDb: boolean): RoutesPlugin<RekorConfig> {
  return async (app: FastifyInstance, context) => {
    context.readiness.add('database', () => logs.db.query('SELECT 1'));
    const admission = openAdmission({ threads: context.config.ADMISSION_THREADS, maxPending: context.config.MAX_PENDING });
    new Gauge({
      name: 'rekor_pending_entries',
      help: 'Entries accepted and waiting for their batch',
      labelNames: ['log'],
      registers: [context.registry],
      collect() {
        this.set({ log: 'v1' }, logs.v1.store.pending);
        if (logs.v2) this.set({ log: 'v2' }, logs.v2.store.pending);
      },
    });
    new Gauge({
      name: 'rekor_admission_pending',
      help: 'Entries being checked (signature, key, canonical body) before they are queued',
      registers: [context.registry],
      collect() {
        this.set(admission.pending);
      },
    });
    await app.register(async (v1) => registerV1(v1, logs.v1, admission));
    const v2 = logs.v2;
    if (v2) await app.register(async (scope) => registerV2(scope, v2, admission));
    app.addHook('onClose', async () => {
      await Promise.all([logs.v1.store.close(), logs.v2?.store.close(), admission.close()]);
      if (ownsDb) await logs.db.close();
    });
  };
}
