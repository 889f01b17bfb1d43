import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, hashChildren, hashFromTile, tileForNode, type HashReader, type NodeId } from '@sigstack/merkle';
import type { SqlExecutor } from './db/database.js';
import { LogStoreError } from './errors.js';
import { TileCache } from './tile-cache.js';
import { toSafeInteger } from './rows.js';

/** A stored tile: tile level L holds node hashes of tree level 8L, 256 of them per tile index. */
export interface TileKey {
  readonly level: number;
  readonly index: number;
}

const tileKey = (t: TileKey) => `${t.level}/${t.index}`;

/** Reads tiles by key in one statement; missing tiles are absent from the map. */
export async function readTiles(db: SqlExecutor, logId: string, keys: readonly TileKey[]): Promise<Map<string, Uint8Array>> {
  const unique = [...new Map(keys.map((k) => [tileKey(k), k])).values()];
  const found = new Map<string, Uint8Array>();
  if (unique.length === 0) return found;
  const rows = await db.query<{ level: number; idx: number | string; hashes: Uint8Array }>(
    `SELECT level, idx, hashes FROM tlog_tiles
      WHERE log_id = $1 AND (level, idx) IN (SELECT * FROM unnest($2::smallint[], $3::bigint[]))`,
    [logId, unique.map((k) => k.level), unique.map((k) => k.index)],
    { prepare: 'tlog_read_tiles' },
  );
  for (const row of rows) {
    found.set(tileKey({ level: Number(row.level), index: toSafeInteger(row.idx, 'tile index') }), new Uint8Array(row.hashes));
  }
  return found;
}

/**
 * Serves node hashes from stored tiles: every proof and every resumed right edge reads
 * O(log n) nodes, which fall into at most two tiles per tile level. Nodes the cache holds
 * cost nothing; the tiles of the others are fetched in one query and go into the cache.
 */
export class TileHashReader implements HashReader {
  constructor(
    private readonly db: SqlExecutor,
    private readonly logId: string,
    private readonly cache: TileCache = new TileCache(0),
  ) {}

  async readHashes(nodes: readonly NodeId[]): Promise<Uint8Array[]> {
    const found = nodes.map((node) => this.cache.node(node.level, node.index));
    const missing = nodes.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found as Uint8Array[];
    const refs = missing.map((node) => tileForNode(node.level, node.index));
    const tiles = await readTiles(this.db, this.logId, refs.map((r) => r.tile));
    let next = 0;
    return found.map((hash) => {
      if (hash) return hash;
      const node = missing[next] as NodeId;
      const ref = refs[next++] as (typeof refs)[number];
      const bytes = tiles.get(tileKey(ref.tile));
      if (!bytes || bytes.length < (ref.offset + ref.count) * HASH_SIZE) {
        throw new LogStoreError('INCONSISTENT', `node ${node.level}/${node.index} is not in the stored tiles`);
      }
      this.cache.put(ref.tile.level, ref.tile.index, bytes);
      return this.cache.node(node.level, node.index) ?? hashFromTile(bytes, ref);
    });
  }
}

/**
 * Serves node hashes from tiles already in memory (the batch's right edge and the tiles it
 * wrote), folding the levels between stored rows once and remembering them: a batch's
 * proofs share most of their nodes, so proving every entry of a batch costs about one
 * hash per node of the touched tiles instead of up to 255 per proof.
 */
export class MemoryTileReader implements HashReader {
  private readonly memo = new Map<string, Uint8Array>();

  /**
   * `committed`: nodes wholly within the first `size` leaves, a size already committed,
   * are taken from the cache when it holds them (folded once there, not once per batch).
   */
  constructor(
    private readonly lookup: (key: string) => Uint8Array | undefined,
    private readonly committed?: { readonly cache: TileCache; readonly size: number },
  ) {}

  async readHashes(nodes: readonly NodeId[]): Promise<Uint8Array[]> {
    return nodes.map((n) => this.node(n.level, n.index));
  }

  node(level: number, index: number): Uint8Array {
    if (level % TILE_HEIGHT === 0) {
      const tile = this.lookup(tileKey({ level: level / TILE_HEIGHT, index: Math.floor(index / TILE_WIDTH) }));
      const at = (index % TILE_WIDTH) * HASH_SIZE;
      if (!tile || tile.length < at + HASH_SIZE) {
        throw new LogStoreError('INCONSISTENT', `node ${level}/${index} is not in the batch's tiles`);
      }
      return tile.subarray(at, at + HASH_SIZE);
    }
    const committed = this.committed;
    if (committed && (index + 1) * 2 ** level <= committed.size) {
      const cached = committed.cache.node(level, index);
      if (cached) return cached;
    }
    const id = `${level}/${index}`;
    let hash = this.memo.get(id);
    if (!hash) {
      hash = hashChildren(this.node(level - 1, 2 * index), this.node(level - 1, 2 * index + 1));
      this.memo.set(id, hash);
    }
    return hash;
  }
}

/**
 * The tiles a batch changes: the right-edge tile of each level grows, full tiles are new.
 * Hashes must arrive in order, exactly at the end of their tile.
 */
export class TileWriter {
  private readonly changed = new Map<string, { key: TileKey; bytes: Uint8Array; width: number }>();

  /** `rightEdge` holds the current bytes of the partial tiles the batch may extend. */
  constructor(private readonly rightEdge: ReadonlyMap<string, Uint8Array>) {}

  /** The current bytes of a tile this batch changed, by `tileKey`. */
  bytes(id: string): Uint8Array | undefined {
    const tile = this.changed.get(id);
    return tile && tile.bytes.subarray(0, tile.width * HASH_SIZE);
  }

  /** Records the hash of node (level, index) if that level is stored (a multiple of 8). */
  visit(level: number, index: number, hash: Uint8Array): void {
    if (level % TILE_HEIGHT !== 0) return;
    const key = { level: level / TILE_HEIGHT, index: Math.floor(index / TILE_WIDTH) };
    const id = tileKey(key);
    let tile = this.changed.get(id);
    if (!tile) {
      const existing = this.rightEdge.get(id) ?? new Uint8Array(0);
      const bytes = new Uint8Array(TILE_WIDTH * HASH_SIZE);
      bytes.set(existing);
      tile = { key, bytes, width: existing.length / HASH_SIZE };
      this.changed.set(id, tile);
    }
    if (index % TILE_WIDTH !== tile.width) {
      throw new LogStoreError('INCONSISTENT', `tile ${id} has ${tile.width} hashes; node ${level}/${index} does not follow`);
    }
    tile.bytes.set(hash, tile.width * HASH_SIZE);
    tile.width++;
  }

  /** The tiles this batch changed, each as wide as it now is. */
  changedTiles(): { key: TileKey; bytes: Uint8Array }[] {
    return [...this.changed.values()].map((t) => ({ key: t.key, bytes: t.bytes.subarray(0, t.width * HASH_SIZE) }));
  }


}

/** The partial (right-edge) tiles of a tree of `size` leaves: the ones the next append extends. */
export function rightEdgeTiles(size: number): TileKey[] {
  const keys: TileKey[] = [];
  for (let level = 0, count = size; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
    if (count % TILE_WIDTH !== 0) keys.push({ level, index: Math.floor(count / TILE_WIDTH) });
  }
  return keys;
}
export { tileKey };
