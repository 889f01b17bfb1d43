import { hash } from 'node:crypto';
import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, tileForNode } from '@sigstack/merkle';
import { LogStoreError } from './errors.js';

/**
 * Stored tiles kept in memory, the least recently used out first (CLOCK: a tile used since
 * eviction last passed it gets a second chance), with the hashes of the tree
 * levels between their stored rows folded once (at most 254 per tile) rather than on
 * every proof.
 *
 * A stored tile only ever grows: a full tile never changes, and the first `w` hashes of a
 * partial tile are those of every later, wider copy. So a cached copy answers for exactly
 * the nodes that lie within its own width, whether it was full or partial when read; a
 * node beyond that width is a miss, and the reader goes to the database. A partial tile
 * is never taken for a full one, and a narrower copy never replaces a wider one.
 */
export class TileCache {
  private readonly tiles = new Map<string, CachedTile>();
  private bytes = 0;

  /** `maxBytes` bounds the memory the cached hashes take (0 caches nothing). */
  constructor(private readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new LogStoreError('INVALID_CONFIG', 'the tile cache size must be a non-negative integer');
  }

  /** Bytes the cached hashes take now. */
  get size(): number {
    return this.bytes;
  }

  /** The hash of complete node (level, index), when a cached tile holds it. */
  node(level: number, index: number): Uint8Array | undefined {
    const ref = tileForNode(level, index);
    const tile = this.touch(`${ref.tile.level}/${ref.tile.index}`);
    if (!tile || tile.width < ref.offset + ref.count) return undefined;
    const before = tile.bytes;
    const hash = tile.node(Math.log2(ref.count), ref.offset / ref.count);
    this.grew(tile.bytes - before);
    return hash;
  }

  /** The first `width` hashes of tile (level, index), when the cached copy is that wide. */
  tile(level: number, index: number, width: number): Uint8Array | undefined {
    const tile = this.touch(`${level}/${index}`);
    return tile && tile.width >= width ? tile.row(0).subarray(0, width * HASH_SIZE) : undefined;
  }

  /**
   * Remembers the stored bytes of tile (level, index), read from the database or committed
   * by this process. A copy no wider than the cached one changes nothing.
   */
  put(level: number, index: number, hashes: Uint8Array): void {
    if (hashes.length % HASH_SIZE !== 0 || hashes.length === 0 || hashes.length > TILE_WIDTH * HASH_SIZE) {
      throw new LogStoreError('INCONSISTENT', `tile ${level}/${index} is not 1 to 256 whole hashes`);
    }
    if (TILE_WIDTH * HASH_SIZE > this.maxBytes) return;
    const key = `${level}/${index}`;
    const old = this.tiles.get(key);
    if (old) {
      // A wider copy of the same tile: its first hashes, and every node folded from them,
      // are the ones already here; only the new ones are added (folded when asked for).
      if (old.width >= hashes.length / HASH_SIZE) return;
      old.widen(hashes);
      old.used = true;
      return;
    }
    const tile = new CachedTile(hashes);
    this.tiles.set(key, tile);
    this.grew(tile.bytes);
  }

  private touch(key: string): CachedTile | undefined {
    const tile = this.tiles.get(key);
    if (tile) tile.used = true;
    return tile;
  }

  private grew(by: number): void {
    this.bytes += by;
    // Oldest first (Map order is insertion order); a tile used since it was last passed
    // over moves to the back once instead of going, so this ends.
    for (const [key, tile] of this.tiles) {
      if (this.bytes <= this.maxBytes) break;
      this.tiles.delete(key);
      if (tile.used) {
        tile.used = false;
        this.tiles.set(key, tile);
      } else {
        this.bytes -= tile.bytes;
      }
    }
  }
}

// One buffer for every fold: 0x01 || left || right. (A whole tile folds 254 nodes; the
// one-shot hash() costs about half of a Hash object per node.)
const NODE_INPUT = new Uint8Array(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/**
 * One tile's stored row and the rows above it, folded on first use. Each row has room for
 * the tile at full width; `filled[l]` nodes of row l are computed, all of them complete
 * nodes of the hashes the tile had then, so they stay right when the tile widens.
 */
class CachedTile {
  width: number;
  private readonly rows: Uint8Array[] = [];
  private readonly filled: number[] = [];
  bytes = 0;
  /** Used since eviction last passed over it. */
  used = false;

  constructor(hashes: Uint8Array) {
    this.width = 0;
    this.widen(hashes);
  }

  widen(hashes: Uint8Array): void {
    const row = this.rows[0] ?? this.allocate(0);
    row.set(hashes.subarray(this.width * HASH_SIZE), this.width * HASH_SIZE);
    this.width = hashes.length / HASH_SIZE;
    this.filled[0] = this.width;
  }

  private allocate(level: number): Uint8Array {
    const row = new Uint8Array((TILE_WIDTH >> level) * HASH_SIZE);
    this.rows[level] = row;
    this.filled[level] = 0;
    this.bytes += row.length;
    return row;
  }

  row(level: number): Uint8Array {
    const row = this.rows[level] ?? this.allocate(level);
    const want = this.width >> level;
    let have = this.filled[level] ?? 0;
    if (have < want) {
      const below = this.row(level - 1);
      for (; have < want; have++) {
        // RFC 6962 interior node: SHA-256(0x01 || left || right); the pair is adjacent in `below`.
        NODE_INPUT.set(below.subarray(2 * have * HASH_SIZE, (2 * have + 2) * HASH_SIZE), 1);
        row.set(hash('sha256', NODE_INPUT, 'buffer'), have * HASH_SIZE);
      }
      this.filled[level] = have;
    }
    return row;
  }

  /** Node `index` of the tile's internal level `level` (0..7), which must be complete. */
  node(level: number, index: number): Uint8Array {
    if (level >= TILE_HEIGHT) throw new LogStoreError('INCONSISTENT', `a tile holds levels 0 to ${TILE_HEIGHT - 1}, not ${level}`);
    const row = this.row(level);
    return row.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }
}
