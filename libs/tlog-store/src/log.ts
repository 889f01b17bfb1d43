import {
  CompactRange,
  HASH_SIZE,
  consistencyProof,
  emptyRoot,
  hashLeaf,
  inclusionProof,
  rightEdgeNodes,
  tileWidth,
} from '@sigstack/merkle';
import { BatchQueue, type BatchQueueOptions } from './batch-queue.js';
import type { SqlDatabase, SqlExecutor } from './db/database.js';
import { LogStoreError } from './errors.js';
import { toBytes, toSafeInteger } from './rows.js';
import { TileCache } from './tile-cache.js';
import { MemoryTileReader, TileHashReader, TileWriter, readTiles, rightEdgeTiles, tileKey, type TileKey } from './tile-store.js';

/** What a service hands the log: the leaf data, and optionally the key it is deduplicated by. */
export interface EntryInput {
  /** The bytes whose RFC 6962 leaf hash goes into the tree (e.g. Rekor's canonical body). */
  readonly data: Uint8Array;
  /** Dedup key: a second entry with the same identity is not logged again. Default: the leaf hash. */
  readonly identity?: Uint8Array;
  /**
   * Secondary lookup keys (e.g. Rekor's search index: `sha256:<hex>` of an artifact, a key
   * fingerprint, an email). Written in the batch's transaction, so an acknowledged entry is
   * always findable by them; found again with `indexesByKey`.
   */
  readonly keys?: readonly string[];
}

export interface StoredEntry {
  readonly index: number;
  readonly identity: Uint8Array;
  readonly leafHash: Uint8Array;
  readonly data: Uint8Array;
  /** When the entry's batch was sequenced, in milliseconds since the epoch. */
  readonly integratedAt: number;
}

export interface TreeHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed checkpoint (or STH) for this size, as the log's signer wrote it. */
  readonly checkpoint: string;
}

export interface AppendResult {
  readonly entry: StoredEntry;
  /** True when the entry was already in the log; `entry` is then the one logged earlier. */
  readonly duplicate: boolean;
  /** The tree head of the batch that logged the entry (or the latest one, for a duplicate). */
  readonly treeHead: TreeHead;
  /**
   * For an entry this batch logged: its audit path in `treeHead`, computed from the tiles
   * the batch already holds (no extra read). Absent for duplicates.
   */
  readonly inclusionProof?: Uint8Array[];
}

/** Signs a tree head. Called once per batch, inside the batch's transaction. */
export interface CheckpointSigner {
  sign(tree: { size: number; rootHash: Uint8Array; timestamp: number }): Promise<string>;
}

export interface TransparencyLogOptions {
  db: SqlDatabase;
  /** The log's name in the database; several logs can share one. */
  logId: string;
  signer: CheckpointSigner;
  batch?: Partial<BatchQueueOptions>;
  /** Milliseconds since the epoch; injected so tests can freeze time. */
  clock?: () => number;
  /**
   * Memory for stored tiles and the tree levels folded from them, shared by every proof
   * the log serves (default 64 MiB: every tile of a log of about a million entries).
   */
  tileCacheBytes?: number;
}

// Two batches in flight: the next one is planned and sent while the last commits, so the
// database never waits for this process between batches.
const DEFAULT_BATCH: BatchQueueOptions = { maxBatchSize: 256, maxBatchAgeMs: 0, maxPending: 4096, maxInFlight: 2 };
const DEFAULT_TILE_CACHE_BYTES = 64 * 1024 * 1024;

interface EntryRow {
  idx: number | string;
  identity: Uint8Array;
  leaf_hash: Uint8Array;
  data: Uint8Array;
  integrated_at: number | string;
}

const ENTRY_COLUMNS = 'idx, identity, leaf_hash, data, integrated_at';

/**
 * An append-only RFC 6962 log over SQL. Appends are sequenced in batches: one
 * transaction and one signed tree head per batch. append() resolves only after its batch
 * has committed, so an acknowledged entry is durable, and a restarted log continues the
 * same tree from the stored tiles.
 */
export class TransparencyLog {
  private readonly queue: BatchQueue<EntryInput, AppendResult>;
  private readonly clock: () => number;
  /**
   * The right edge as this process's last batch will leave the tree: the last committed
   * batch's, or, while a batch's statement is on its way, that batch's. The next batch
   * plans on it; its statement moves the log row only if the row has exactly that size and
   * root, so a guess that did not come true writes nothing. The slow way uses it only when
   * the locked row has its size and root; otherwise it reads the tiles from the database.
   */
  private edgeCache: Edge | undefined;
  /** Resolves when the batch before may let the next one plan (its statement is sent, or it ended). */
  private planGate: Promise<void> = Promise.resolve();
  /** Resolves when the batch before has ended (committed and recorded, or failed). */
  private lastBatchDone: Promise<void> = Promise.resolve();
  /** Batches left to go the slow way (after a duplicate broke a fast one). */
  private slowBatches = 0;
  private readonly tileCache: TileCache;
  /** The largest size this process has seen the log at: a log never shrinks, so any size up to it exists. */
  private knownSize = 0;

  private constructor(
    private readonly db: SqlDatabase,
    readonly logId: string,
    private readonly signer: CheckpointSigner,
    batch: BatchQueueOptions,
    clock: () => number,
    tileCacheBytes: number,
  ) {
    this.clock = clock;
    this.tileCache = new TileCache(tileCacheBytes);
    this.queue = new BatchQueue(batch, (items) => this.sequence(items));
  }

  /** Opens a log, creating it (empty, with a signed checkpoint of size 0) if it is new. */
  static async open(options: TransparencyLogOptions): Promise<TransparencyLog> {
    const clock = options.clock ?? Date.now;
    const log = new TransparencyLog(
      options.db,
      options.logId,
      options.signer,
      { ...DEFAULT_BATCH, ...options.batch },
      clock,
      options.tileCacheBytes ?? DEFAULT_TILE_CACHE_BYTES,
    );
    await options.db.transaction(async (tx) => {
      const existing = await tx.query('SELECT 1 FROM tlog_logs WHERE log_id = $1', [options.logId]);
      if (existing.length > 0) return;
      const now = clock();
      const root = emptyRoot();
      const checkpoint = await options.signer.sign({ size: 0, rootHash: root, timestamp: now });
      // ON CONFLICT: another replica may have created it in the meantime; theirs stands.
      const created = await tx.query(
        `INSERT INTO tlog_logs (log_id, tree_size, root_hash, checkpoint, updated_at) VALUES ($1, 0, $2, $3, $4)
         ON CONFLICT (log_id) DO NOTHING RETURNING log_id`,
        [options.logId, root, checkpoint, now],
      );
      if (created.length > 0) {
        await tx.query(
          'INSERT INTO tlog_checkpoints (log_id, tree_size, root_hash, checkpoint, created_at) VALUES ($1, 0, $2, $3, $4)',
          [options.logId, root, checkpoint, now],
        );
      }
    });
    return log;
  }

  /** Logs an entry; resolves once it is durable. Rejects with OVERLOADED when the queue is full. */
  append(input: EntryInput): Promise<AppendResult> {
    return this.queue.add(input);
  }

  /** Entries waiting for a batch: a gauge for metrics. */
  get pending(): number {
    return this.queue.pendingCount;
  }

  /** Flushes what was accepted, then refuses new appends. The database stays open (the caller owns it). */
  close(): Promise<void> {
    return this.queue.close();
  }

  async treeHead(): Promise<TreeHead> {
    const rows = await this.db.query<{ tree_size: unknown; root_hash: unknown; checkpoint: string }>(
      'SELECT tree_size, root_hash, checkpoint FROM tlog_logs WHERE log_id = $1',
      [this.logId],
      { prepare: 'tlog_tree_head' },
    );
    const row = rows[0];
    if (!row) throw new LogStoreError('INCONSISTENT', `log ${this.logId} does not exist`);
    return this.headOf(row);
  }

  /** A tree head read from the log row; any size read is one the log has for good. */
  private headOf(row: { tree_size: unknown; root_hash: unknown; checkpoint: string }): TreeHead {
    const size = toSafeInteger(row.tree_size, 'tree size');
    this.knownSize = Math.max(this.knownSize, size);
    return { size, rootHash: toBytes(row.root_hash, 'root hash'), checkpoint: row.checkpoint };
  }

  /** The signed tree head written when the tree had exactly `size` leaves, if a batch ended there. */
  async treeHeadAt(size: number): Promise<TreeHead | undefined> {
    const rows = await this.db.query<{ root_hash: unknown; checkpoint: string }>(
      'SELECT root_hash, checkpoint FROM tlog_checkpoints WHERE log_id = $1 AND tree_size = $2',
      [this.logId, size],
    );
    const row = rows[0];
    return row && { size, rootHash: toBytes(row.root_hash, 'root hash'), checkpoint: row.checkpoint };
  }

  async entryAt(index: number): Promise<StoredEntry | undefined> {
    const rows = await this.db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM tlog_entries WHERE log_id = $1 AND idx = $2`, [
      this.logId,
      index,
    ]);
    return rows[0] && toEntry(rows[0]);
  }

  /**
   * The entry at `index` (or with `identity`) and the latest tree head, in one statement
   * (one snapshot: the head holds the entry). Undefined when there is no such entry.
   */
  async entryWithHead(by: { index: number } | { identity: Uint8Array }): Promise<{ entry: StoredEntry; treeHead: TreeHead } | undefined> {
    const byIndex = 'index' in by;
    const rows = await this.db.query<{ tree_size: unknown; root_hash: unknown; checkpoint: string } & Partial<EntryRow>>(
      `SELECT l.tree_size, l.root_hash, l.checkpoint, e.idx, e.identity, e.leaf_hash, e.data, e.integrated_at
         FROM tlog_logs l LEFT JOIN tlog_entries e ON e.log_id = l.log_id AND ${byIndex ? 'e.idx' : 'e.identity'} = $2
        WHERE l.log_id = $1`,
      [this.logId, byIndex ? by.index : by.identity],
      { prepare: byIndex ? 'tlog_entry_with_head_by_index' : 'tlog_entry_with_head_by_identity' },
    );
    const row = rows[0];
    if (!row) throw new LogStoreError('INCONSISTENT', `log ${this.logId} does not exist`);
    if (row.idx === null || row.idx === undefined) return undefined;
    return { entry: toEntry(row as EntryRow), treeHead: this.headOf(row) };
  }

  /** Entries [start, end) in index order; the caller bounds the range. */
  async entries(start: number, end: number): Promise<StoredEntry[]> {
    const rows = await this.db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM tlog_entries WHERE log_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`,
      [this.logId, start, end],
    );
    return rows.map(toEntry);
  }

  async entryByIdentity(identity: Uint8Array): Promise<StoredEntry | undefined> {
    const rows = await this.db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM tlog_entries WHERE log_id = $1 AND identity = $2`, [
      this.logId,
      identity,
    ]);
    return rows[0] && toEntry(rows[0]);
  }

  async entriesByLeafHash(leafHash: Uint8Array): Promise<StoredEntry[]> {
    const rows = await this.db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM tlog_entries WHERE log_id = $1 AND leaf_hash = $2 ORDER BY idx`,
      [this.logId, leafHash],
    );
    return rows.map(toEntry);
  }

  /** Indexes of the entries logged with lookup key `key`, ascending, at most `limit`. */
  async indexesByKey(key: string, limit = 1000): Promise<number[]> {
    const rows = await this.db.query<{ idx: unknown }>(
      'SELECT idx FROM tlog_entry_keys WHERE log_id = $1 AND key = $2 ORDER BY idx LIMIT $3',
      [this.logId, key, limit],
    );
    return rows.map((r) => toSafeInteger(r.idx, 'entry index'));
  }

  /** Audit path for leaf `index` in the tree of `size` leaves, from O(log n) stored hashes. */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    await this.requireSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LogStoreError('OUT_OF_RANGE', `leaf index ${index} is not in a tree of size ${size}`);
    }
    return inclusionProof(new TileHashReader(this.db, this.logId, this.tileCache), index, size);
  }

  /** The latest tree head and leaf `index`'s audit path in it, with one read of the head. */
  async proveInLatest(index: number): Promise<{ treeHead: TreeHead; proof: Uint8Array[] }> {
    const treeHead = await this.treeHead();
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeHead.size) {
      throw new LogStoreError('OUT_OF_RANGE', `leaf index ${index} is not in a tree of size ${treeHead.size}`);
    }
    return { treeHead, proof: await inclusionProof(new TileHashReader(this.db, this.logId, this.tileCache), index, treeHead.size) };
  }

  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    await this.requireSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) {
      throw new LogStoreError('OUT_OF_RANGE', `no consistency proof from size ${size1} to ${size2}`);
    }
    return consistencyProof(new TileHashReader(this.db, this.logId, this.tileCache), size1, size2);
  }

  /** Root hash of the tree at any past `size`, from O(log n) stored hashes. */
  async rootAt(size: number): Promise<Uint8Array> {
    await this.requireSize(size);
    return (await this.resume(this.db, size)).root();
  }

  /**
   * The hashes of tile (level, index) as a tree of `treeSize` leaves has them: full tiles,
   * or the partial right-edge tile of that size. Undefined when the tile is beyond the tree.
   */
  async tile(level: number, index: number, treeSize: number): Promise<Uint8Array | undefined> {
    await this.requireSize(treeSize);
    const width = tileWidth(treeSize, level, index);
    if (width === 0) return undefined;
    // A copy: the cache's bytes are shared with every proof.
    const cached = this.tileCache.tile(level, index, width);
    if (cached) return Uint8Array.from(cached);
    const bytes = (await readTiles(this.db, this.logId, [{ level, index }])).get(tileKey({ level, index }));
    if (!bytes || bytes.length < width * HASH_SIZE) {
      throw new LogStoreError('INCONSISTENT', `tile ${level}/${index} is shorter than the tree needs`);
    }
    this.tileCache.put(level, index, bytes);
    // A partial tile of a smaller tree is a prefix of the stored tile.
    return bytes.subarray(0, width * HASH_SIZE);
  }

  private async requireSize(size: number): Promise<void> {
    // A size this process has seen exists for good: no need to ask the database.
    if (Number.isSafeInteger(size) && size >= 0 && size <= this.knownSize) return;
    const head = await this.treeHead();
    if (!Number.isSafeInteger(size) || size < 0 || size > head.size) {
      throw new LogStoreError('OUT_OF_RANGE', `tree size ${size} is beyond the log's size ${head.size}`);
    }
  }

  /** The compact range of the first `size` leaves, read from the stored tiles. */
  private async resume(db: SqlExecutor, size: number): Promise<CompactRange> {
    const hashes = await new TileHashReader(db, this.logId, this.tileCache).readHashes(rightEdgeNodes(size));
    return CompactRange.fromHashes(size, hashes);
  }

  /**
   * One batch, one commit. Two ways, with the same write statement:
   *
   * - Fast (the usual case): this process wrote the last batch it knows of, so it holds the
   *   right edge in memory. The whole batch is then one autocommit statement (one round
   *   trip): it moves the log row from the remembered (size, root) to the new one — which
   *   locks the row, so a second writer waits here — and writes entries, lookup keys, tiles
   *   and the checkpoint only if that row still had the remembered size and root. A
   *   duplicate of a logged entry breaks the identity index and aborts the statement; a
   *   row another writer moved matches nothing and writes nothing. Either way nothing was
   *   written, nobody was answered, and the batch goes the slow way. Two fast batches can
   *   be in flight: the second is planned on the edge the first will leave and its
   *   statement waits in the database for the first's row lock; if the first wrote
   *   nothing, the row is not where the second expects and the second writes nothing too.
   * - Slow: one transaction. Lock the log row FOR UPDATE and, in the same statement, find
   *   the entries already logged (answered from the store, not re-logged); rebuild the
   *   right edge from stored tiles and check it against the stored root; then the write
   *   statement and the commit.
   *
   * A crash before the commit leaves the previous tree untouched and nobody was answered;
   * after it every entry is durable, and only then is anyone answered.
   */
  private async sequence(items: EntryInput[]): Promise<AppendResult[]> {
    const prepared = items.map((item) => {
      const leafHash = hashLeaf(item.data);
      return { item, leafHash, identity: item.identity ?? leafHash, id: '' };
    });
    // Fresh entries, each identity once (the first in the batch wins).
    const fresh: typeof prepared = [];
    const seen = new Set<string>();
    for (const p of prepared) {
      p.id = Buffer.from(p.identity).toString('hex');
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      fresh.push(p);
    }
    // Batches plan one after another, each on the edge the one before leaves; a fast batch
    // lets the next plan as soon as its statement is sent, and every batch ends (records its
    // commit, answers) only after the one before has ended.
    const gate = this.planGate;
    const before = this.lastBatchDone;
    let openGate!: () => void;
    let markDone!: () => void;
    this.planGate = new Promise((resolve) => (openGate = resolve));
    this.lastBatchDone = new Promise((resolve) => (markDone = resolve));
    try {
      await gate;
      const cached = this.edgeCache;
      let tried: Edge | undefined;
      if (cached && this.slowBatches === 0) {
        const done = await this.sequenceFast(cached, prepared, fresh, openGate, before, (edge) => (tried = edge));
        if (done) return done;
      } else if (this.slowBatches > 0) {
        this.slowBatches--;
      }
      await before;
      return await this.sequenceSlow(prepared, fresh, tried);
    } finally {
      openGate();
      markDone();
    }
  }

  /**
   * The fast way; undefined when the batch must go the slow way (nothing was written).
   * `sent` lets the next batch plan on this one's edge; `before` is the end of the batch
   * before, awaited before this one records or answers anything.
   */
  private async sequenceFast(
    edge: Edge,
    prepared: Prepared[],
    fresh: Prepared[],
    sent: () => void,
    before: Promise<void>,
    planned: (edge: Edge) => void,
  ): Promise<AppendResult[] | undefined> {
    const now = this.clock();
    const plan = await this.plan(edge, fresh, now);
    planned(plan.next);
    // On the writer connection: it runs after the batch before's statement, never before.
    const write = this.db.query<{ n: unknown }>(WRITE_BATCH, plan.params, PREPARED_IN_ORDER);
    write.catch(() => undefined); // awaited below, after the batch before; never an unhandled rejection
    this.edgeCache = plan.next;
    sent();
    // The proofs need nothing from the database: compute them while the statement commits,
    // once it is on the wire (the driver sends it on the next tick, after the microtasks).
    const proofs = new Promise<void>((resolve) => setImmediate(resolve)).then(() => plan.proofs());
    proofs.catch(() => undefined); // awaited below, after the write; never an unhandled rejection
    let updated: { n: unknown }[];
    try {
      updated = await write;
    } catch (err) {
      await before;
      // Nothing of this batch was written, so the edge it left is not the log's.
      this.forgetEdge(plan.next);
      // A duplicate of an entry already logged: the slow way answers it from the store.
      // Other failures reject the batch as they would on the slow way.
      if (!isDuplicateIdentity(err)) throw err;
      this.slowBatches = SLOW_AFTER_DUPLICATE;
      return undefined;
    }
    await before;
    if (Number(updated[0]?.n) !== 1) {
      // The log row was not at the edge this batch planned on: another writer moved it, or
      // the batch before wrote nothing. The slow way reads the log as it is.
      this.forgetEdge(plan.next);
      return undefined;
    }
    this.committed(plan.next, plan.changed);
    return this.answer(prepared, new Map(), plan.logged, plan.treeHead, await proofs);
  }

  /** A batch wrote nothing: no later batch may plan on the edge it would have left. */
  private forgetEdge(edge: Edge): void {
    // A later batch planned on `edge` already moved edgeCache past it; its statement finds
    // the row elsewhere and writes nothing either, and it forgets its own edge in turn.
    if (this.edgeCache === edge) this.edgeCache = undefined;
  }

  /** `tried`: the edge this batch's failed fast attempt left for the batches behind it, if any. */
  private async sequenceSlow(prepared: Prepared[], fresh: Prepared[], tried?: Edge): Promise<AppendResult[]> {
    let written: { next: Edge; changed: { key: TileKey; bytes: Uint8Array }[] } | undefined;
    const results = await this.db.transaction(async (tx) => {
      // One round trip: lock the log row (a second writer waits here) and find the
      // entries of this batch that are already logged.
      const locked = await tx.query<{ tree_size: unknown; root_hash: unknown; checkpoint: string } & Partial<EntryRow>>(
        `SELECT l.tree_size, l.root_hash, l.checkpoint, e.idx, e.identity, e.leaf_hash, e.data, e.integrated_at
           FROM tlog_logs l LEFT JOIN tlog_entries e ON e.log_id = l.log_id AND e.identity = ANY($2::bytea[])
          WHERE l.log_id = $1 FOR UPDATE OF l`,
        [this.logId, fresh.map((p) => p.identity)],
      );
      const head = locked[0];
      if (!head) throw new LogStoreError('INCONSISTENT', `log ${this.logId} does not exist`);
      const size = toSafeInteger(head.tree_size, 'tree size');
      const storedRoot = toBytes(head.root_hash, 'root hash');
      const known = new Map<string, StoredEntry>();
      for (const row of locked) {
        if (row.idx === null || row.idx === undefined) continue;
        const entry = toEntry(row as EntryRow);
        known.set(Buffer.from(entry.identity).toString('hex'), entry);
      }
      const unknown = fresh.filter((p) => !known.has(p.id));
      const treeHead: TreeHead = { size, rootHash: storedRoot, checkpoint: head.checkpoint };
      if (unknown.length === 0) return this.answer(prepared, known, new Map(), treeHead, new Map());

      // The right-edge tiles hold every node of the compact range (one read for both).
      const cached = this.edgeCache;
      const tiles =
        cached && cached.size === size && Buffer.from(cached.root).equals(storedRoot)
          ? cached.tiles
          : await readTiles(tx, this.logId, rightEdgeTiles(size));
      const range =
        cached && tiles === cached.tiles
          ? cached.range
          : CompactRange.fromHashes(size, await new MemoryTileReader((k) => tiles.get(k)).readHashes(rightEdgeNodes(size)));
      if (!Buffer.from(range.root()).equals(storedRoot)) {
        throw new LogStoreError('INCONSISTENT', `stored tiles do not hash to the stored root at size ${size}`);
      }
      const plan = await this.plan({ size, root: storedRoot, tiles, range }, unknown, this.clock());
      const updated = await tx.query<{ n: unknown }>(WRITE_BATCH, plan.params, PREPARED);
      if (Number(updated[0]?.n) !== 1) throw new LogStoreError('INCONSISTENT', `the locked log ${this.logId} did not take the batch`);
      written = plan;
      return this.answer(prepared, known, plan.logged, plan.treeHead, await plan.proofs());
    });
    if (written) {
      // Only a committed batch may seed the next one, and only if no batch behind has
      // planned on an edge of its own meanwhile (possible after a failed fast attempt
      // opened the way). That batch's statement finds the row where this one left it or
      // writes nothing; setting the edge back would let a later batch overtake it.
      const plannedBehind = tried !== undefined && this.edgeCache !== undefined && this.edgeCache !== tried;
      if (!plannedBehind) this.edgeCache = written.next;
      this.committed(written.next, written.changed);
    }
    return results;
  }

  /**
   * After a commit: the batch's tiles serve proofs. (Its right edge is already the next
   * batch's base: a fast batch sets it when its statement is sent, a slow one on commit.)
   */
  private committed(next: Edge, changed: readonly { key: TileKey; bytes: Uint8Array }[]): void {
    this.knownSize = Math.max(this.knownSize, next.size);
    for (const t of changed) this.tileCache.put(t.key.level, t.key.index, t.bytes);
  }

  /**
   * Appends `fresh` to the tree at `edge` in memory: the new entries, tiles, root and signed
   * checkpoint, the write statement's parameters, and the proofs (computed on demand, so
   * the fast way computes them while its statement is on the wire).
   */
  private async plan(edge: Edge, fresh: Prepared[], now: number) {
    const { size } = edge;
    const range = edge.range.clone();
    const tiles = new TileWriter(edge.tiles);
    const logged = new Map<string, StoredEntry>();
    fresh.forEach((p, i) => {
      range.append(p.leafHash, (level, index, hash) => tiles.visit(level, index, hash));
      logged.set(p.id, { index: size + i, identity: p.identity, leafHash: p.leafHash, data: p.item.data, integratedAt: now });
    });
    const newSize = size + fresh.length;
    const rootHash = range.root();
    const entries = [...logged.values()];
    const keyRows = fresh.flatMap((p, i) => [...new Set(p.item.keys ?? [])].map((key) => ({ key, index: size + i })));
    const changed = tiles.changedTiles();
    const checkpoint = await this.signer.sign({ size: newSize, rootHash, timestamp: now });
    const nextTiles = new Map<string, Uint8Array>();
    for (const key of rightEdgeTiles(newSize)) {
      const id = tileKey(key);
      const bytes = tiles.bytes(id) ?? edge.tiles.get(id);
      if (bytes) nextTiles.set(id, bytes);
    }
    // Bytes travel as three packed binary parameters cut up in SQL (an array of bytea
    // would go as text, in hex: twice the bytes, and parsed on both sides).
    const identities = pack(entries.map((e) => e.identity));
    const data = pack(entries.map((e) => e.data));
    const tileBytes = pack(changed.map((t) => t.bytes));
    const params = [
      this.logId,
      identities.bytes,
      identities.at,
      identities.length,
      pack(entries.map((e) => e.leafHash)).bytes,
      now,
      keyRows.map((r) => r.key),
      keyRows.map((r) => r.index),
      changed.map((t) => t.key.level),
      changed.map((t) => t.key.index),
      tileBytes.bytes,
      tileBytes.at,
      tileBytes.length,
      newSize,
      rootHash,
      checkpoint,
      size,
      edge.root,
      data.bytes,
      data.at,
      data.length,
    ];
    return {
      params,
      logged,
      treeHead: { size: newSize, rootHash, checkpoint } as TreeHead,
      next: { size: newSize, root: rootHash, tiles: nextTiles, range } as Edge,
      changed,
      // Every node an audit path in the new tree needs lies in a tile this batch wrote or
      // read: a sibling shares its tile with the leaf's own ancestor, which is at or right
      // of the old right edge.
      proofs: async () => {
        const reader = new MemoryTileReader((k) => tiles.bytes(k) ?? edge.tiles.get(k), { cache: this.tileCache, size: edge.size });
        const proofs = new Map<string, Uint8Array[]>();
        for (const e of entries) proofs.set(Buffer.from(e.identity).toString('hex'), await inclusionProof(reader, e.index, newSize));
        return proofs;
      },
    };
  }

  private answer(
    prepared: Prepared[],
    known: Map<string, StoredEntry>,
    logged: Map<string, StoredEntry>,
    treeHead: TreeHead,
    proofs: Map<string, Uint8Array[]>,
  ): AppendResult[] {
    const answered = new Set<string>();
    return prepared.map((p) => {
      const earlier = known.get(p.id);
      if (earlier) return { entry: earlier, duplicate: true, treeHead };
      const entry = logged.get(p.id) as StoredEntry;
      // A repeat within the batch is a duplicate of the copy this batch logged.
      if (answered.has(p.id)) return { entry, duplicate: true, treeHead };
      answered.add(p.id);
      return { entry, duplicate: false, treeHead, inclusionProof: proofs.get(p.id) as Uint8Array[] };
    });
  }
}

interface Prepared {
  readonly item: EntryInput;
  readonly leafHash: Uint8Array;
  readonly identity: Uint8Array;
  /** Hex of the identity. */
  id: string;
}

/** A tree's size, root, right-edge tiles (the partial tile of each level, by `tileKey`) and compact range. */
interface Edge {
  readonly size: number;
  readonly root: Uint8Array;
  readonly tiles: ReadonlyMap<string, Uint8Array>;
  /** Never appended to: a batch appends to a clone. */
  readonly range: CompactRange;
}

/** After a duplicate broke a fast batch, this many batches go the slow way (which answers duplicates). */
const SLOW_AFTER_DUPLICATE = 4;

/** Byte strings end to end in one buffer, with where each starts and how long it is. */
function pack(parts: readonly Uint8Array[]): { bytes: Buffer; at: number[]; length: number[] } {
  const at: number[] = [];
  let offset = 0;
  for (const p of parts) {
    at.push(offset);
    offset += p.length;
  }
  return { bytes: Buffer.concat(parts, offset), at, length: parts.map((p) => p.length) };
}

/**
 * Every write of a batch in one statement: move the log row from ($17, $18) to ($14, $15,
 * $16) — which locks it — and, only if it moved, write the entries (indexes from $17 on),
 * lookup keys, tiles (a full tile is final, a partial one grows) and the checkpoint.
 * Identities ($2), leaf hashes ($5, 32 bytes each), tiles ($11) and entry data ($19) come
 * packed, with offsets and lengths. Answers n = 1 when the row moved, 0 when it no longer
 * had that size and root (nothing written).
 */
const WRITE_BATCH = `WITH u AS (
     UPDATE tlog_logs SET tree_size = $14, root_hash = $15, checkpoint = $16, updated_at = $6
      WHERE log_id = $1 AND tree_size = $17 AND root_hash = $18 RETURNING log_id
   ), e AS (
     INSERT INTO tlog_entries (log_id, idx, identity, leaf_hash, data, integrated_at)
     SELECT u.log_id, $17::bigint + x.n - 1, substring($2::bytea FROM x.id_at + 1 FOR x.id_len),
            substring($5::bytea FROM (x.n - 1)::int * 32 + 1 FOR 32), substring($19::bytea FROM x.data_at + 1 FOR x.data_len), $6
       FROM u, unnest($3::int[], $4::int[], $20::int[], $21::int[]) WITH ORDINALITY AS x(id_at, id_len, data_at, data_len, n)
   ), k AS (
     INSERT INTO tlog_entry_keys (log_id, key, idx)
     SELECT u.log_id, x.* FROM u, unnest($7::text[], $8::bigint[]) x ON CONFLICT DO NOTHING
   ), t AS (
     INSERT INTO tlog_tiles (log_id, level, idx, hashes)
     SELECT u.log_id, x.level, x.idx, substring($11::bytea FROM x.at + 1 FOR x.len)
       FROM u, unnest($9::smallint[], $10::bigint[], $12::int[], $13::int[]) AS x(level, idx, at, len)
     ON CONFLICT (log_id, level, idx) DO UPDATE SET hashes = EXCLUDED.hashes
     WHERE length(tlog_tiles.hashes) < length(EXCLUDED.hashes)
   ), c AS (
     INSERT INTO tlog_checkpoints (log_id, tree_size, root_hash, checkpoint, created_at) SELECT u.log_id, $14, $15, $16, $6 FROM u
   )
   SELECT count(*) AS n FROM u`;

const PREPARED = { prepare: 'tlog_write_batch' } as const;
const PREPARED_IN_ORDER = { prepare: 'tlog_write_batch', inOrder: true } as const;

/** A unique-index violation on an entry's identity: a duplicate of an entry already logged. */
function isDuplicateIdentity(err: unknown): boolean {
  const cause = err instanceof LogStoreError ? (err.cause as { code?: unknown; constraint?: unknown } | undefined) : undefined;
  return cause?.code === '23505' && cause.constraint === 'tlog_entries_identity';
}

function toEntry(row: EntryRow): StoredEntry {
  return {
    index: toSafeInteger(row.idx, 'entry index'),
    identity: toBytes(row.identity, 'identity'),
    leafHash: toBytes(row.leaf_hash, 'leaf hash'),
    data: toBytes(row.data, 'entry data'),
    integratedAt: toSafeInteger(row.integrated_at, 'integration time'),
  };
}
