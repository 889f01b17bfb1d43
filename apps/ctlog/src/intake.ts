import { BatchQueue } from '@sigstack/tlog-store';
import type { BatchQueueOptions, SqlDatabase } from '@sigstack/tlog-store';

/** An arbitrary fixed key for pg_advisory_xact_lock: "ctin" in ASCII. */
const MIGRATION_LOCK = 0x6374696e;

/**
 * Creates the CT log's own table, beside the log store's. Every accepted submission is
 * written here first, in intake order: its MerkleTreeLeaf (which fixes the SCT's
 * timestamp), its extra_data (the chain get-entries serves; the Merkle leaf cannot carry
 * it, its hash is fixed by RFC 6962) and whether the log store has sequenced it yet.
 */
export async function migrateIntake(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ctlog_submissions (
         log_name text NOT NULL,
         seq bigserial NOT NULL,
         identity bytea NOT NULL,
         leaf_data bytea NOT NULL,
         extra_data bytea NOT NULL,
         sequenced boolean NOT NULL DEFAULT false,
         PRIMARY KEY (log_name, identity)
       )`,
    );
    await tx.query('CREATE INDEX IF NOT EXISTS ctlog_submissions_pending ON ctlog_submissions (log_name, seq) WHERE NOT sequenced');
  });
}

export interface Submission {
  readonly identity: Uint8Array;
  /** The MerkleTreeLeaf to log. */
  readonly leafData: Uint8Array;
  readonly extraData: Uint8Array;
}

export interface IntakeResult {
  /** The leaf in force: this submission's, or the one first submitted with the same identity. */
  readonly leafData: Uint8Array;
  /** True when this call wrote the row (a new entry); false for a resubmission. */
  readonly fresh: boolean;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * Durable intake, in batches: one INSERT per batch, as the log store sequences in
 * batches. put() resolves once the submission's row has committed; from then on the
 * submission survives a crash and will be sequenced (see Sequencer.recover).
 */
export class Intake {
  private readonly queue: BatchQueue<Submission, IntakeResult>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly logName: string,
    batch: BatchQueueOptions,
  ) {
    this.queue = new BatchQueue(batch, (items) => this.write(items));
  }

  put(submission: Submission): Promise<IntakeResult> {
    return this.queue.add(submission);
  }

  get pending(): number {
    return this.queue.pendingCount;
  }

  /** extra_data by identity (hex). */
  async extraData(identities: readonly Uint8Array[]): Promise<Map<string, Uint8Array>> {
    if (identities.length === 0) return new Map();
    const rows = await this.db.query<{ identity: Uint8Array; extra_data: Uint8Array }>(
      'SELECT identity, extra_data FROM ctlog_submissions WHERE log_name = $1 AND identity = ANY($2::bytea[])',
      [this.logName, identities],
    );
    return new Map(rows.map((r) => [hex(r.identity), new Uint8Array(r.extra_data)]));
  }

  /** Submissions written but not yet marked sequenced, in intake order. */
  async unsequenced(): Promise<Submission[]> {
    const rows = await this.db.query<{ identity: Uint8Array; leaf_data: Uint8Array; extra_data: Uint8Array }>(
      'SELECT identity, leaf_data, extra_data FROM ctlog_submissions WHERE log_name = $1 AND NOT sequenced ORDER BY seq',
      [this.logName],
    );
    return rows.map((r) => ({ identity: new Uint8Array(r.identity), leafData: new Uint8Array(r.leaf_data), extraData: new Uint8Array(r.extra_data) }));
  }

  async markSequenced(identities: readonly Uint8Array[]): Promise<void> {
    await this.db.query('UPDATE ctlog_submissions SET sequenced = true WHERE log_name = $1 AND identity = ANY($2::bytea[])', [
      this.logName,
      identities,
    ]);
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private async write(items: Submission[]): Promise<IntakeResult[]> {
    // The first of several equal identities in a batch wins, as a database row would.
    const firsts = new Map<string, Submission>();
    for (const item of items) if (!firsts.has(hex(item.identity))) firsts.set(hex(item.identity), item);
    const unique = [...firsts.values()];
    const inserted = await this.db.query<{ identity: Uint8Array }>(
      `INSERT INTO ctlog_submissions (log_name, identity, leaf_data, extra_data)
       SELECT $1, * FROM unnest($2::bytea[], $3::bytea[], $4::bytea[])
       ON CONFLICT DO NOTHING RETURNING identity`,
      [this.logName, unique.map((u) => u.identity), unique.map((u) => u.leafData), unique.map((u) => u.extraData)],
    );
    const fresh = new Set(inserted.map((r) => hex(r.identity)));
    const known = new Map<string, Uint8Array>();
    const older = unique.filter((u) => !fresh.has(hex(u.identity)));
    if (older.length > 0) {
      const rows = await this.db.query<{ identity: Uint8Array; leaf_data: Uint8Array }>(
        'SELECT identity, leaf_data FROM ctlog_submissions WHERE log_name = $1 AND identity = ANY($2::bytea[])',
        [this.logName, older.map((u) => u.identity)],
      );
      for (const r of rows) known.set(hex(r.identity), new Uint8Array(r.leaf_data));
    }
    return items.map((item) => {
      const id = hex(item.identity);
      const first = firsts.get(id) as Submission;
      if (fresh.has(id)) return { leafData: first.leafData, fresh: first === item };
      const leafData = known.get(id);
      if (!leafData) throw new Error('a submission conflicted with a row that is gone');
      return { leafData, fresh: false };
    });
  }
}
