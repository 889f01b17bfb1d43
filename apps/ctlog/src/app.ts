import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { PrivateKey } from '@sigstack/crypto';
import type { RoutesPlugin } from '@sigstack/server';
import { migrate, openPglite, openPostgres } from '@sigstack/tlog-store';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { X509Error, parseCertificates } from '@sigstack/x509';
import type { ParsedCertificate } from '@sigstack/x509';
import type { CtlogConfig } from './config.js';
import { CtLog } from './ct-log.js';
import { migrateIntake } from './intake.js';
import { loadLogKey } from './keys.js';
import { registerCtRoutes } from './routes.js';
import { ChainValidator } from './validate.js';

export interface OpenCtlogOptions {
  /** An open database (tests share one); default: from DATABASE_URL or DATA_DIR. */
  readonly db?: SqlDatabase;
  /** The log key; default: CTLOG_KEY_FILE, or generated into DATA_DIR. */
  readonly key?: PrivateKey;
  /** The roots; default: read from CTLOG_ROOTS. */
  readonly roots?: readonly ParsedCertificate[];
  readonly clock?: () => number;
}

export interface OpenedCtlog {
  readonly db: SqlDatabase;
  readonly log: CtLog;
  readonly ownsDb: boolean;
}

/** Reads the roots file: PEM CERTIFICATE blocks, each a CA. */
export async function loadRoots(file: string): Promise<ParsedCertificate[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read CTLOG_ROOTS ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: err });
  }
  try {
    const roots = parseCertificates(text);
    for (const root of roots) if (!root.basicConstraints?.ca && root.version === 3) throw new Error(`a root in ${file} is not a CA: ${root.subjectName.text}`);
    return roots;
  } catch (err) {
    if (err instanceof X509Error) throw new Error(`CTLOG_ROOTS ${file}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Opens the database, key, roots and log, as configured. */
export async function openCtlog(config: CtlogConfig, options: OpenCtlogOptions = {}): Promise<OpenedCtlog> {
  const roots = options.roots ?? (await loadRoots(config.CTLOG_ROOTS));
  const key =
    options.key ??
    (await loadLogKey({
      file: config.CTLOG_KEY_FILE ?? join(config.DATA_DIR, 'ctlog-key.pem'),
      generate: config.CTLOG_GENERATE_KEY && config.CTLOG_KEY_FILE === undefined,
    }));
  const url = config.DATABASE_URL?.reveal();
  const db = options.db ?? (url ? await openPostgres({ url }) : await openPglite({ dataDir: join(config.DATA_DIR, 'pglite') }));
  try {
    await migrate(db);
    await migrateIntake(db);
    const clock = options.clock ?? Date.now;
    const validator = new ChainValidator(roots, { maxChain: config.CTLOG_MAX_CHAIN, clock });
    const log = await CtLog.open({
      db,
      key,
      validator,
      name: config.CTLOG_LOG_NAME,
      batch: {
        maxBatchSize: config.BATCH_MAX_SIZE,
        maxBatchAgeMs: config.BATCH_MAX_AGE,
        maxPending: Math.max(config.MAX_PENDING, config.BATCH_MAX_SIZE),
      },
      ackAfter: config.CTLOG_ACK,
      sequenceIntervalMs: config.CTLOG_SEQUENCE_INTERVAL,
      clock,
    });
    return { db, log, ownsDb: options.db === undefined };
  } catch (err) {
    if (!options.db) await db.close().catch(() => undefined);
    throw err;
  }
}

/** The CT routes over an opened log. On close the log flushes what it accepted, then the database closes (if owned). */
export function ctlogRoutes(opened: OpenedCtlog): RoutesPlugin<CtlogConfig> {
  return async (app: FastifyInstance, context) => {
    const { config } = context;
    context.readiness.add('database', () => opened.db.query('SELECT 1'));
    opened.log.sequencer.logger = context.log;
    new Gauge({
      name: 'ctlog_pending_entries',
      help: 'Submissions accepted and waiting for their batch',
      registers: [context.registry],
      collect() {
        this.set(opened.log.store.pending);
      },
    });
    new Gauge({
      name: 'ctlog_unsequenced_entries',
      help: 'Submissions answered with an SCT and not yet in a committed tree',
      registers: [context.registry],
      collect() {
        this.set(opened.log.sequencer.backlog);
      },
    });
    const prefix = config.CTLOG_PREFIX ? `/${config.CTLOG_PREFIX.replace(/^\/+|\/+$/g, '')}` : '';
    await app.register(async (scope) => registerCtRoutes(scope, opened.log, { maxChain: config.CTLOG_MAX_CHAIN, maxGetEntries: config.CTLOG_MAX_GET_ENTRIES }), { prefix });
    app.addHook('onClose', async () => {
      await opened.log.close();
      if (opened.ownsDb) await opened.db.close();
    });
  };
}
