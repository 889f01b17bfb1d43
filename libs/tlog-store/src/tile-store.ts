import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, hashFromTile, tileForNode, type HashReader, type NodeId } from '@sigstack/merkle';
import type { SqlExecutor } from './db/database.js';
import { LogStoreError } from './errors.js';
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
  );
  for (const row of rows) {
    found.set(tileKey({ level: Number(row.level), index: toSafeInteger(row.idx, 'tile index') }), new Uint8Array(row.hashes));
  }
  return found;
}

/**
 * Serves node hashes from stored tiles: every proof and every resumed right edge reads
 * O(log n) nodes, which fall into at most two tiles per tile level, fetched in one query.
 * Nodes above a tile's bottom row are folded from it (at most 255 hashes per tile).
 */
export class TileHashReader implements HashReader {
  constructor(
    private readonly db: SqlExecutor,
    private readonly logId: string,
  ) {}

  async readHashes(nodes: readonly NodeId[]): Promise<Uint8Array[]> {
    const refs = nodes.map((node) => tileForNode(node.level, node.index));
    const tiles = await readTiles(this.db, this.logId, refs.map((r) => r.tile));
    return refs.map((ref, i) => {
      const bytes = tiles.get(tileKey(ref.tile));
      if (!bytes || bytes.length < (ref.offset + ref.count) * HASH_SIZE) {
        const node = nodes[i] as NodeId;
        throw new LogStoreError('INCONSISTENT', `node ${node.level}/${node.index} is not in the stored tiles`);
      }
      return hashFromTile(bytes, ref);
    });
  }
}

/**
 * The tiles a batch changes: the right-edge tile of each level grows, full tiles are new.
 * Hashes must arrive in order, exactly at the end of their tile.
 */
export class TileWriter {
  private readonly changed = new Map<string, { key: TileKey; bytes: Uint8Array; width: number }>();

  /** `rightEdge` holds the current bytes of the partial tiles the batch may extend. */
  constructor(private readonly rightEdge: Map<string, Uint8Array>) {}

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

  /** Writes every changed tile. A full tile is final; a partial one is replaced as it grows. */
  async flush(db: SqlExecutor, logId: string): Promise<void> {
    const tiles = [...this.changed.values()];
    if (tiles.length === 0) return;
    await db.query(
      `INSERT INTO tlog_tiles (log_id, level, idx, hashes)
       SELECT $1, * FROM unnest($2::smallint[], $3::bigint[], $4::bytea[])
       ON CONFLICT (log_id, level, idx) DO UPDATE SET hashes = EXCLUDED.hashes
       WHERE length(tlog_tiles.hashes) < length(EXCLUDED.hashes)`,
      [logId, tiles.map((t) => t.key.level), tiles.map((t) => t.key.index), tiles.map((t) => t.bytes.subarray(0, t.width * HASH_SIZE))],
    );
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
