import { isIndex } from './bits.js';
import { merkleRoot } from './compact-range.js';
import { MerkleError } from './errors.js';
import { HASH_SIZE } from './hash.js';

// All c2sp.org/tlog-tiles path and coordinate maths lives in this module.

/** Tiles hold 8 tree levels: 256 hashes of tree level 8 * tileLevel. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const MAX_TILE_LEVEL = 63;

/** A tile: its level, its index within the level, and its width (1..256; 256 = full). */
export interface TileId {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** A parsed tile or entry-bundle path. */
export type TilePath =
  | { readonly kind: 'tile'; readonly level: number; readonly index: number; readonly width: number }
  | { readonly kind: 'entries'; readonly index: number; readonly width: number };

function badPath(message: string): MerkleError {
  return new MerkleError('INVALID_TILE_PATH', message);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new MerkleError('INVALID_ARGUMENT', `tile width ${width} is not in 1..256`);
  }
}

/** `<N>` as zero-padded 3-digit elements, all but the last prefixed with `x`. */
function encodeIndex(index: number): string {
  if (!isIndex(index)) throw new MerkleError('INVALID_ARGUMENT', `invalid tile index ${index}`);
  let digits = String(index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function suffix(width: number): string {
  checkWidth(width);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** Path of a Merkle tree tile: `tile/<L>/<N>[.p/<W>]`. */
export function tilePath(tile: TileId): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) {
    throw new MerkleError('INVALID_ARGUMENT', `tile level ${tile.level} is not in 0..63`);
  }
  return `tile/${tile.level}/${encodeIndex(tile.index)}${suffix(tile.width)}`;
}

/** Path of an entry bundle: `tile/entries/<N>[.p/<W>]`. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  return `tile/entries/${encodeIndex(index)}${suffix(width)}`;
}

const LEVEL = /^(?:0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;

/**
 * Strictly parse a tile or entry-bundle path relative to the log prefix
 * (`tile/...`, no leading slash). Paths come from HTTP requests, so only the
 * one canonical spelling of each resource is accepted.
 */
export function parseTilePath(path: string): TilePath {
  if (typeof path !== 'string' || path.length > 256) throw badPath('not a tile path');
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') throw badPath('tile paths start with tile/');
  const kindPart = parts[1] as string;
  let rest = parts.slice(2);

  let width = TILE_WIDTH;
  const last = rest[rest.length - 1] as string;
  const beforeLast = rest[rest.length - 2];
  if (beforeLast !== undefined && beforeLast.endsWith('.p')) {
    if (!WIDTH.test(last) || Number(last) > TILE_WIDTH - 1) throw badPath('partial width must be 1..255');
    width = Number(last);
    rest = [...rest.slice(0, -2), beforeLast.slice(0, -2)];
  }

  const digits: string[] = [];
  rest.forEach((group, i) => {
    const pattern = i < rest.length - 1 ? /^x[0-9]{3}$/ : /^[0-9]{3}$/;
    if (!pattern.test(group)) throw badPath(`bad index element ${JSON.stringify(group)}`);
    digits.push(i < rest.length - 1 ? group.slice(1) : group);
  });
  const index = Number(digits.join(''));
  if (!Number.isSafeInteger(index) || encodeIndex(index) !== rest.join('/')) {
    throw badPath('tile index is not canonical');
  }

  if (kindPart === 'entries') return { kind: 'entries', index, width };
  if (!LEVEL.test(kindPart) || Number(kindPart) > MAX_TILE_LEVEL) throw badPath('tile level must be 0..63');
  return { kind: 'tile', level: Number(kindPart), index, width };
}

/**
 * Where a tree node lives in the tiles: its hash is the Merkle root of the
 * `count` tile hashes starting at `offset` in `tile` (count is 1 when the
 * node's level is a multiple of 8). `tile.width` is the smallest width that
 * holds those hashes; any wider version of the tile works too.
 */
export interface TileNodeRef {
  readonly tile: TileId;
  readonly offset: number;
  readonly count: number;
}

/** The tile that holds (or lets one compute) the hash of tree node (level, index). */
export function tileForNode(level: number, index: number): TileNodeRef {
  if (!Number.isInteger(level) || level < 0 || level > 63 || !isIndex(index)) {
    throw new MerkleError('INVALID_ARGUMENT', `invalid node (${level}, ${index})`);
  }
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const count = 2 ** (level - tileLevel * TILE_HEIGHT);
  const first = index * count; // position of the node's first hash within tile level's row
  if (!Number.isSafeInteger(first)) throw new MerkleError('INVALID_ARGUMENT', `node (${level}, ${index}) is out of range`);
  const offset = first % TILE_WIDTH;
  return { tile: { level: tileLevel, index: (first - offset) / TILE_WIDTH, width: offset + count }, offset, count };
}

/** Compute a node hash from the bytes of the tile `tileForNode` named. */
export function hashFromTile(data: Uint8Array, ref: TileNodeRef): Uint8Array {
  if (data.length % HASH_SIZE !== 0 || data.length > TILE_WIDTH * HASH_SIZE) {
    throw new MerkleError('INVALID_TILE', 'tile is not a whole number of hashes');
  }
  if (data.length < (ref.offset + ref.count) * HASH_SIZE) throw new MerkleError('INVALID_TILE', 'tile is too narrow');
  const hashes: Uint8Array[] = [];
  for (let i = ref.offset; i < ref.offset + ref.count; i++) {
    hashes.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  return merkleRoot(hashes);
}

/**
 * Number of hashes in tile (level, index) of a tree of `treeSize` leaves:
 * 256 for a full tile, 1..255 for a partial one, 0 if it does not exist yet.
 */
export function tileWidth(treeSize: number, level: number, index: number): number {
  if (!isIndex(treeSize) || !isIndex(index) || !Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) {
    throw new MerkleError('INVALID_ARGUMENT', 'invalid tree size or tile');
  }
  const hashesAtLevel = Math.floor(treeSize / TILE_WIDTH ** level);
  return Math.min(TILE_WIDTH, Math.max(0, hashesAtLevel - index * TILE_WIDTH));
}

/** Split an entry bundle (big-endian uint16 length-prefixed entries) into entries. */
export function parseEntryBundle(data: Uint8Array): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new MerkleError('INVALID_TILE', 'truncated entry length');
    const length = ((data[at] as number) << 8) | (data[at + 1] as number);
    at += 2;
    if (at + length > data.length) throw new MerkleError('INVALID_TILE', 'truncated entry');
    entries.push(data.subarray(at, at + length));
    at += length;
    if (entries.length > TILE_WIDTH) throw new MerkleError('INVALID_TILE', 'more than 256 entries in a bundle');
  }
  return entries;
}

/** Build an entry bundle from at most 256 entries of at most 65535 bytes. */
export function formatEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new MerkleError('INVALID_ARGUMENT', 'more than 256 entries in a bundle');
  let total = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new MerkleError('INVALID_ARGUMENT', 'entry longer than 65535 bytes');
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.length >>> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}
