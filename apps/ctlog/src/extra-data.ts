import { BatchQueue } from '@sigstack/tlog-store';
import type { BatchQueueOptions, SqlDatabase } from '@sigstack/tlog-store';

/** An arbitrary fixed key for pg_advisory_xact_lock: "ctxd" in ASCII. */
const MIGRATION_LOCK = 0x63747864;

/**
 * Creates the CT log's own table. The log store keeps the Merkle leaves (whose hash is
 * fixed by RFC 6962, so nothing else can ride in them); the chain a leaf came with
 * (extra_data in get-entries) lives here, keyed by the entry's identity.
 */
export async function migrateExtraData(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ctlog_extra_data (
         log_name text NOT NULL,
         identity bytea NOT NULL,
         extra_data bytea NOT NULL,
         PRIMARY KEY (log_name, identity)
       )`,
    );
  });
}

interface Row {
  readonly identity: Uint8Array;
  readonly extraData: Uint8Array;
}

/**
 * Writes extra_data in batches (one statement per batch, like the log's own sequencing),
 * before the entry is handed to the log. Order matters for crashes: extra_data written
 * and the entry not logged leaves a harmless orphan row (a resubmission reuses it);
 * the other order could log an entry whose chain get-entries cannot serve.
 */
export class ExtraDataStore {
  private readonly queue: BatchQueue<Row, void>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly logName: string,
    batch: BatchQueueOptions,
  ) {
    this.queue = new BatchQueue(batch, (rows) => this.write(rows));
  }

  /** Resolves once the row is durable (committed). */
  put(identity: Uint8Array, extraData: Uint8Array): Promise<void> {
    return this.queue.add({ identity, extraData });
  }

  /** extra_data by identity (hex). */
  async get(identities: readonly Uint8Array[]): Promise<Map<string, Uint8Array>> {
    if (identities.length === 0) return new Map();
    const rows = await this.db.query<{ identity: Uint8Array; extra_data: Uint8Array }>(
      'SELECT identity, extra_data FROM ctlog_extra_data WHERE log_name = $1 AND identity = ANY($2::bytea[])',
      [this.logName, identities],
    );
    return new Map(rows.map((r) => [Buffer.from(r.identity).toString('hex'), new Uint8Array(r.extra_data)]));
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private async write(rows: Row[]): Promise<void[]> {
    // ON CONFLICT: a resubmission (or a row left by a crash before logging) keeps the first row.
    await this.db.query(
      `INSERT INTO ctlog_extra_data (log_name, identity, extra_data)
       SELECT $1, * FROM unnest($2::bytea[], $3::bytea[]) ON CONFLICT DO NOTHING`,
      [this.logName, rows.map((r) => r.identity), rows.map((r) => r.extraData)],
    );
    return rows.map(() => undefined);
  }
}
