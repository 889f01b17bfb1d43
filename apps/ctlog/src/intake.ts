import { createHash } from 'node:crypto';
import { BatchQueue } from '@sigstack/tlog-store';
import type { BatchQueueOptions, SqlDatabase } from '@sigstack/tlog-store';
import { encodeMerkleTreeLeaf, issuerKeyHash, precertTbs, splitCertificate } from '@sigstack/x509';
import type { CtEntry } from '@sigstack/x509';
import { certificateList, uint24Vector } from './tls-lists.js';

/** An arbitrary fixed key for pg_advisory_xact_lock: "ctin" in ASCII. */
const MIGRATION_LOCK = 0x6374696e;

/**
 * The CT log's own tables, beside the log store's:
 * - ctlog_intake: every accepted submission, in intake order (seq): its timestamp (which
 *   the SCT and the MerkleTreeLeaf carry), entry type, the submitted leaf DER and its chain.
 *   The Merkle leaf and extra_data are rebuilt from these, so no byte is stored twice.
 * - ctlog_chains: issuer chains by SHA-256 (a deployment has a handful; each entry points to one).
 * - ctlog_unsequenced: the intake rows not yet in the tree; a narrow row, deleted once sequenced.
 * PGlite and PostgreSQL pay per byte written, so every entry costs as few bytes as it can.
 */
export async function migrateIntake(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ctlog_intake (
         log_name text NOT NULL,
         seq bigserial NOT NULL,
         identity bytea NOT NULL,
         ts bigint NOT NULL,
         precert boolean NOT NULL,
         leaf bytea NOT NULL,
         chain_id bytea NOT NULL,
         PRIMARY KEY (log_name, identity)
       )`,
    );
    await tx.query('CREATE TABLE IF NOT EXISTS ctlog_chains (chain_id bytea PRIMARY KEY, certs bytea NOT NULL)');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ctlog_unsequenced (
         log_name text NOT NULL,
         seq bigint NOT NULL,
         identity bytea NOT NULL,
         PRIMARY KEY (log_name, identity)
       )`,
    );
  });
}

/** One accepted submission. */
export interface Submission {
  readonly identity: Uint8Array;
  readonly timestamp: number;
  readonly entry: CtEntry;
  /** The submitted leaf: the certificate, or the precertificate (with its poison). */
  readonly leaf: Uint8Array;
  /** The issuer chain, issuer first, root last (DER each). */
  readonly chain: readonly Uint8Array[];
}

export interface IntakeResult {
  /** The SCT timestamp in force: this submission's, or that of the first with the same identity. */
  readonly timestamp: number;
  /** True when this call wrote the row (a new entry); false for a resubmission. */
  readonly fresh: boolean;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const num = (value: unknown): number => Number(value);

/** The RFC 6962 MerkleTreeLeaf of a submission (what the log store hashes). */
export function leafData(s: Pick<Submission, 'timestamp' | 'entry'>): Uint8Array {
  return encodeMerkleTreeLeaf({ timestamp: s.timestamp, entry: s.entry, extensions: new Uint8Array() });
}

/** RFC 6962 4.6 extra_data: the chain, or a PrecertChainEntry (precertificate, then chain). */
function extraData(precert: boolean, leaf: Uint8Array, chainList: Uint8Array): Uint8Array {
  return precert ? new Uint8Array(Buffer.concat([uint24Vector(leaf), chainList])) : chainList;
}

/**
 * Durable intake, in batches: one statement per batch of concurrent submissions, as the
 * log store sequences in batches. put() resolves once the submission has committed; from
 * then on it survives a crash and will be sequenced (Sequencer.recover).
 */
export class Intake {
  private readonly queue: BatchQueue<Submission, IntakeResult>;
  private readonly knownChains = new Set<string>();

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

  /** extra_data by identity (hex). */
  async extraData(identities: readonly Uint8Array[]): Promise<Map<string, Uint8Array>> {
    if (identities.length === 0) return new Map();
    const rows = await this.db.query<{ identity: Uint8Array; precert: boolean; leaf: Uint8Array; certs: Uint8Array }>(
      `SELECT i.identity, i.precert, i.leaf, c.certs FROM ctlog_intake i JOIN ctlog_chains c ON c.chain_id = i.chain_id
       WHERE i.log_name = $1 AND i.identity = ANY($2::bytea[])`,
      [this.logName, identities],
    );
    return new Map(rows.map((r) => [hex(r.identity), extraData(r.precert, r.leaf, r.certs)]));
  }

  /** Submissions taken in and not yet marked sequenced, in intake order, with their Merkle leaves rebuilt. */
  async unsequenced(): Promise<{ identity: Uint8Array; leafData: Uint8Array }[]> {
    const rows = await this.db.query<{ identity: Uint8Array; ts: unknown; precert: boolean; leaf: Uint8Array; certs: Uint8Array }>(
      `SELECT i.identity, i.ts, i.precert, i.leaf, c.certs FROM ctlog_unsequenced u
       JOIN ctlog_intake i ON i.log_name = u.log_name AND i.identity = u.identity
       JOIN ctlog_chains c ON c.chain_id = i.chain_id
       WHERE u.log_name = $1 ORDER BY u.seq`,
      [this.logName],
    );
    return rows.map((r) => {
      let entry: CtEntry;
      if (r.precert) {
        // certs is a certificate_chain: a 3-byte total length, then 3-byte-length certificates.
        const issuerLength = Buffer.from(r.certs).readUIntBE(3, 3);
        const issuer = splitCertificate(new Uint8Array(r.certs).subarray(6, 6 + issuerLength));
        entry = { type: 'precert_entry', issuerKeyHash: issuerKeyHash(issuer), tbsCertificate: precertTbs(splitCertificate(r.leaf)) };
      } else {
        entry = { type: 'x509_entry', certificate: r.leaf };
      }
      return { identity: r.identity, leafData: leafData({ timestamp: num(r.ts), entry }) };
    });
  }

  async markSequenced(identities: readonly Uint8Array[]): Promise<void> {
    await this.db.query('DELETE FROM ctlog_unsequenced WHERE log_name = $1 AND identity = ANY($2::bytea[])', [this.logName, identities]);
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private async write(items: Submission[]): Promise<IntakeResult[]> {
    // The first of several equal identities in a batch wins, as a database row would.
    const firsts = new Map<string, Submission>();
    for (const item of items) if (!firsts.has(hex(item.identity))) firsts.set(hex(item.identity), item);
    const unique = [...firsts.values()];

    const chainIds = unique.map((u) => createHash('sha256').update(certificateList(u.chain)).digest());
    const newChains = new Map<string, { id: Buffer; certs: Uint8Array }>();
    unique.forEach((u, i) => {
      const id = chainIds[i] as Buffer;
      if (!this.knownChains.has(id.toString('hex'))) newChains.set(id.toString('hex'), { id, certs: certificateList(u.chain) });
    });
    if (newChains.size > 0) {
      const list = [...newChains.values()];
      await this.db.query('INSERT INTO ctlog_chains (chain_id, certs) SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT DO NOTHING', [
        list.map((c) => c.id),
        list.map((c) => c.certs),
      ]);
      for (const key of newChains.keys()) this.knownChains.add(key);
    }

    // One statement: the intake rows and their unsequenced markers, atomically.
    const inserted = await this.db.query<{ identity: Uint8Array }>(
      `WITH ins AS (
         INSERT INTO ctlog_intake (log_name, identity, ts, precert, leaf, chain_id)
         SELECT $1, * FROM unnest($2::bytea[], $3::bigint[], $4::boolean[], $5::bytea[], $6::bytea[])
         ON CONFLICT DO NOTHING RETURNING identity, seq
       ), marks AS (
         INSERT INTO ctlog_unsequenced (log_name, seq, identity) SELECT $1, seq, identity FROM ins
       )
       SELECT identity FROM ins`,
      [
        this.logName,
        unique.map((u) => u.identity),
        unique.map((u) => u.timestamp),
        unique.map((u) => u.entry.type === 'precert_entry'),
        unique.map((u) => u.leaf),
        chainIds,
      ],
    );
    const fresh = new Set(inserted.map((r) => hex(r.identity)));
    const earlier = new Map<string, number>();
    const older = unique.filter((u) => !fresh.has(hex(u.identity)));
    if (older.length > 0) {
      const rows = await this.db.query<{ identity: Uint8Array; ts: unknown }>(
        'SELECT identity, ts FROM ctlog_intake WHERE log_name = $1 AND identity = ANY($2::bytea[])',
        [this.logName, older.map((u) => u.identity)],
      );
      for (const r of rows) earlier.set(hex(r.identity), num(r.ts));
    }
    return items.map((item) => {
      const id = hex(item.identity);
      const first = firsts.get(id) as Submission;
      if (fresh.has(id)) return { timestamp: first.timestamp, fresh: first === item };
      const timestamp = earlier.get(id);
      if (timestamp === undefined) throw new Error('a submission conflicted with a row that is gone');
      return { timestamp, fresh: false };
    });
  }
}
