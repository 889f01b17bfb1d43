import { sign as nodeSign } from 'node:crypto';
import { keyId } from '@sigstack/crypto';
import type { PrivateKey } from '@sigstack/crypto';
import { TransparencyLog } from '@sigstack/tlog-store';
import type { BatchQueueOptions, CheckpointSigner, SqlDatabase } from '@sigstack/tlog-store';
import {
  encodeDigitallySigned,
  sctSignedData,
  signDigitallySigned,
  treeHeadSignedData,
} from '@sigstack/x509';
import type { CtEntry, SignedCertificateTimestamp } from '@sigstack/x509';
import { Intake, leafData } from './intake.js';
import { Sequencer } from './sequencer.js';
import type { ChainValidator, EntryKind } from './validate.js';
import { ctErrors } from './errors.js';

/** RFC 5246 algorithm numbers of an ECDSA P-256 log key: sha256(4), ecdsa(3). */
const ECDSA_SHA256 = { hashAlgorithm: 4, signatureAlgorithm: 3 } as const;

/** The get-sth answer (RFC 6962 4.3), also what the log store keeps as each batch's checkpoint. */
export interface SignedTreeHead {
  readonly tree_size: number;
  readonly timestamp: number;
  readonly sha256_root_hash: string;
  readonly tree_head_signature: string;
}

export interface CtLogOptions {
  readonly db: SqlDatabase;
  readonly key: PrivateKey;
  readonly validator: ChainValidator;
  /** The log's name in the database. */
  readonly name: string;
  readonly batch: BatchQueueOptions;
  /**
   * When to answer: 'intake' (default) once the submission is durable, with sequencing
   * into the tree following within one batch; 'sequenced' only once it is in a committed tree.
   */
  readonly ackAfter?: 'intake' | 'sequenced';
  /** How long the sequencer gathers submissions before a batch (ignored with ackAfter 'sequenced'). */
  readonly sequenceIntervalMs?: number;
  readonly clock?: () => number;
}

/** The STH signer handed to the log store: one TreeHeadSignature per batch, stored as get-sth JSON. */
function sthSigner(key: PrivateKey): CheckpointSigner {
  return {
    async sign({ size, rootHash, timestamp }) {
      const signature = signDigitallySigned(key, treeHeadSignedData({ timestamp, treeSize: size, rootHash }));
      const sth: SignedTreeHead = {
        tree_size: size,
        timestamp,
        sha256_root_hash: Buffer.from(rootHash).toString('base64'),
        tree_head_signature: Buffer.from(encodeDigitallySigned(signature)).toString('base64'),
      };
      return JSON.stringify(sth);
    },
  };
}

/**
 * An RFC 6962 log over the shared log store. A submission is checked, then written
 * durably with its MerkleTreeLeaf (stamped now) and extra_data, in batches; the SCT is
 * answered once that write has committed, as Trillian-backed CT logs answer once the
 * leaf is in their durable queue. The Sequencer then moves it into the tree in large
 * batches (one STH each), usually within milliseconds: the maximum merge delay is one
 * sequencing batch while the log is up, and a restart re-sequences what was taken in.
 * With ackAfter 'sequenced', the SCT waits for the committed tree instead.
 */
export class CtLog {
  readonly logId: Uint8Array;
  private readonly clock: () => number;

  private constructor(
    readonly store: TransparencyLog,
    private readonly intake: Intake,
    readonly sequencer: Sequencer,
    private readonly key: PrivateKey,
    readonly validator: ChainValidator,
    private readonly ackAfter: 'intake' | 'sequenced',
    private readonly maxBacklog: number,
    clock: () => number,
  ) {
    this.logId = keyId(key.publicKey);
    this.clock = clock;
  }

  get publicKey(): PrivateKey['publicKey'] {
    return this.key.publicKey;
  }

  static async open(options: CtLogOptions): Promise<CtLog> {
    const clock = options.clock ?? Date.now;
    const store = await TransparencyLog.open({ db: options.db, logId: options.name, signer: sthSigner(options.key), batch: options.batch, clock });
    const intake = new Intake(options.db, options.name, options.batch);
    const interval = options.ackAfter === 'sequenced' ? 0 : (options.sequenceIntervalMs ?? 0);
    const sequencer = new Sequencer(store, intake, interval);
    const log = new CtLog(store, intake, sequencer, options.key, options.validator, options.ackAfter ?? 'intake', options.batch.maxPending, clock);
    await sequencer.recover();
    return log;
  }

  async submit(chain: readonly Uint8Array[], kind: EntryKind): Promise<SignedCertificateTimestamp> {
    // Answered but unsequenced entries are a promise; refuse to grow it without bound.
    if (this.sequencer.backlog >= this.maxBacklog) {
      throw ctErrors.create('OVERLOADED', 'too many submissions are waiting to be sequenced; retry shortly', { headers: { 'retry-after': '1' } });
    }
    const checked = await this.validator.validate(chain, kind);
    const timestamp = this.clock();
    // Sign while the intake batch commits; a resubmission is re-signed with its first timestamp.
    const [taken, early] = await Promise.all([
      this.intake.put({ identity: checked.identity, timestamp, entry: checked.entry, leaf: checked.leaf, chain: checked.chain }),
      this.signSct(timestamp, checked.entry),
    ]);
    const sequenced = taken.fresh ? this.sequencer.enqueue({ identity: checked.identity, leafData: leafData({ timestamp, entry: checked.entry }) }) : undefined;
    if (this.ackAfter === 'sequenced') await (sequenced ?? this.sequencer.drain());
    if (taken.fresh) return early;
    return this.signSct(taken.timestamp, checked.entry);
  }

  /** Resolves once everything accepted so far is in a committed tree (tests, shutdown). */
  sequenced(): Promise<void> {
    return this.sequencer.drain();
  }

  /** The latest STH (the checkpoint of the last batch). */
  async sth(): Promise<SignedTreeHead> {
    const head = await this.store.treeHead();
    return JSON.parse(head.checkpoint) as SignedTreeHead;
  }

  async consistency(first: number, second: number): Promise<Uint8Array[]> {
    const head = await this.store.treeHead();
    if (first > second || second > head.size) {
      throw ctErrors.create('INVALID_QUERY', `no consistency proof from ${first} to ${second} in a tree of ${head.size}`);
    }
    // The empty tree and an unchanged tree are consistent with nothing to prove.
    if (first === 0 || first === second) return [];
    return this.store.consistencyProof(first, second);
  }

  async proofByHash(leafHash: Uint8Array, treeSize: number): Promise<{ leafIndex: number; auditPath: Uint8Array[] }> {
    const head = await this.store.treeHead();
    if (treeSize < 1 || treeSize > head.size) throw ctErrors.create('INVALID_QUERY', `tree_size ${treeSize} is not in 1..${head.size}`);
    const match = (await this.store.entriesByLeafHash(leafHash)).find((e) => e.index < treeSize);
    if (!match) throw ctErrors.create('HASH_NOT_FOUND', `no leaf with that hash in the tree of size ${treeSize}`);
    return { leafIndex: match.index, auditPath: await this.store.inclusionProof(match.index, treeSize) };
  }

  /** Entries [start, end] (inclusive, as get-entries counts), at most `max`, clipped to the tree. */
  async entries(start: number, end: number, max: number): Promise<{ leafInput: Uint8Array; extraData: Uint8Array }[]> {
    const head = await this.store.treeHead();
    if (start > end || start >= head.size) throw ctErrors.create('INVALID_QUERY', `entries ${start}..${end} are not in a tree of size ${head.size}`);
    const last = Math.min(end, start + max - 1, head.size - 1);
    const entries = await this.store.entries(start, last + 1);
    const extras = await this.intake.extraData(entries.map((e) => e.identity));
    return entries.map((e) => ({ leafInput: e.data, extraData: extras.get(Buffer.from(e.identity).toString('hex')) ?? new Uint8Array() }));
  }

  async entryAndProof(index: number, treeSize: number): Promise<{ leafInput: Uint8Array; extraData: Uint8Array; auditPath: Uint8Array[] }> {
    const head = await this.store.treeHead();
    if (treeSize > head.size || index >= treeSize) throw ctErrors.create('INVALID_QUERY', `leaf ${index} is not in a tree of size ${treeSize} (current ${head.size})`);
    const [entry] = await this.entries(index, index, 1);
    return { ...(entry as { leafInput: Uint8Array; extraData: Uint8Array }), auditPath: await this.store.inclusionProof(index, treeSize) };
  }

  /** Flushes accepted submissions; the caller closes the database. */
  async close(): Promise<void> {
    await this.intake.close();
    await this.sequencer.drain();
    await this.store.close();
  }

  /** Signs on libuv's thread pool (ECDSA P-256, SHA-256), off the event loop. */
  private signSct(timestamp: number, entry: CtEntry): Promise<SignedCertificateTimestamp> {
    const extensions = new Uint8Array();
    const data = sctSignedData({ timestamp, extensions }, entry);
    return new Promise((resolve, reject) => {
      nodeSign('sha256', data, { key: this.key.keyObject, dsaEncoding: 'der' }, (error, signature) => {
        if (error) return reject(error);
        resolve({
          version: 0,
          logId: this.logId,
          timestamp,
          extensions,
          signature: { ...ECDSA_SHA256, signature: new Uint8Array(signature) },
        });
      });
    });
  }
}
