import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  MerkleError,
  TILE_WIDTH,
  entryBundlePath,
  formatCheckpoint,
  formatEntryBundle,
  hashFromTile,
  parseCheckpoint,
  parseEntryBundle,
  parseTilePath,
  tileForNode,
  tilePath,
  tileWidth,
} from '../src/index.js';
import { leavesOf, refRoot } from './reference.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MerkleError ? e.code : 'NOT_A_MERKLE_ERROR';
  }
  return undefined;
}

const ROOT = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

describe('checkpoints', () => {
  it('parses and formats with extension lines', () => {
    const text = `rekor.example - 123\n0\n${ROOT}\nTimestamp: 1\nx\n`;
    const c = parseCheckpoint(text);
    expect(c).toMatchObject({ origin: 'rekor.example - 123', size: 0, extensions: ['Timestamp: 1', 'x'] });
    expect(formatCheckpoint(c)).toBe(text);
  });

  it.each([
    ['no final newline', `o\n1\n${ROOT}`],
    ['too few lines', 'o\n1\n'],
    ['empty origin', `\n1\n${ROOT}\n`],
    ['leading zero', `o\n01\n${ROOT}\n`],
    ['signed size', `o\n+1\n${ROOT}\n`],
    ['hex size', `o\n0x1\n${ROOT}\n`],
    ['size beyond 2^53', `o\n18446744073709551615\n${ROOT}\n`],
    ['short root', 'o\n1\nAAAA\n'],
    ['bad base64 root', `o\n1\n${ROOT.slice(0, -1)}\n`],
    ['empty extension line', `o\n1\n${ROOT}\n\n`],
    ['control character', `o\t\n1\n${ROOT}\n`],
  ])('rejects %s', (_name, text) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe('INVALID_CHECKPOINT');
  });

  it('refuses to format an invalid checkpoint', () => {
    const rootHash = new Uint8Array(32);
    expect(codeOf(() => formatCheckpoint({ origin: '', size: 1, rootHash, extensions: [] }))).toBe('INVALID_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: -1, rootHash, extensions: [] }))).toBe('INVALID_CHECKPOINT');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: new Uint8Array(31), extensions: [] }))).toBe(
      'INVALID_CHECKPOINT',
    );
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, rootHash, extensions: ['a\nb'] }))).toBe(
      'INVALID_CHECKPOINT',
    );
  });
});

describe('tile paths', () => {
  it.each([
    [{ level: 0, index: 0, width: 256 }, 'tile/0/000'],
    [{ level: 0, index: 1234067, width: 256 }, 'tile/0/x001/x234/067'],
    [{ level: 3, index: 1000, width: 7 }, 'tile/3/x001/000.p/7'],
    [{ level: 63, index: 999, width: 255 }, 'tile/63/999.p/255'],
  ])('%o <-> %s', (tile, path) => {
    expect(tilePath(tile)).toBe(path);
    expect(parseTilePath(path)).toEqual({ kind: 'tile', ...tile });
  });

  it('encodes entry bundles', () => {
    expect(entryBundlePath(1234067)).toBe('tile/entries/x001/x234/067');
    expect(entryBundlePath(5, 12)).toBe('tile/entries/005.p/12');
    expect(parseTilePath('tile/entries/x001/x234/067')).toEqual({ kind: 'entries', index: 1234067, width: 256 });
    expect(parseTilePath('tile/entries/005.p/12')).toEqual({ kind: 'entries', index: 5, width: 12 });
  });

  it.each([
    'tile/0/0',
    'tile/0/0000',
    'tile/0/x000/001',
    'tile/0/001/002',
    'tile/0/x01/002',
    'tile/00/001',
    'tile/64/001',
    'tile/-1/001',
    'tile/0/001.p/0',
    'tile/0/001.p/256',
    'tile/0/001.p/07',
    'tile/0/001.p/',
    'tile/0/001.p',
    '/tile/0/001',
    'tiles/0/001',
    'tile/0/001/',
    'tile/entries/1',
    'tile/data/001',
    'tile/0/x009/x007/x199/x254/x740/x992',
  ])('rejects %s', (path) => {
    expect(codeOf(() => parseTilePath(path))).toBe('INVALID_TILE_PATH');
  });

  it('rejects bad arguments', () => {
    expect(codeOf(() => tilePath({ level: 64, index: 0, width: 256 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => tilePath({ level: 0, index: -1, width: 256 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => tilePath({ level: 0, index: 0, width: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => entryBundlePath(0, 257))).toBe('INVALID_ARGUMENT');
  });
});

describe('tile coordinates', () => {
  it('follows the spec example of a tree of 70,000 leaves', () => {
    expect(tileWidth(70000, 0, 272)).toBe(256);
    expect(tileWidth(70000, 0, 273)).toBe(112);
    expect(tileWidth(70000, 0, 274)).toBe(0);
    expect(tileWidth(70000, 1, 0)).toBe(256);
    expect(tileWidth(70000, 1, 1)).toBe(17);
    expect(tileWidth(70000, 2, 0)).toBe(1);
    expect(tileWidth(70000, 3, 0)).toBe(0);
    expect(tileWidth(256, 1, 0)).toBe(1);
  });

  it('locates nodes', () => {
    expect(tileForNode(0, 1234)).toEqual({ tile: { level: 0, index: 4, width: 211 }, offset: 210, count: 1 });
    expect(tileForNode(8, 3)).toEqual({ tile: { level: 1, index: 0, width: 4 }, offset: 3, count: 1 });
    expect(tileForNode(3, 33)).toEqual({ tile: { level: 0, index: 1, width: 16 }, offset: 8, count: 8 });
    expect(tileForNode(7, 1)).toEqual({ tile: { level: 0, index: 0, width: 256 }, offset: 128, count: 128 });
    expect(codeOf(() => tileForNode(64, 0))).toBe('INVALID_ARGUMENT');
  });

  it('reads every node hash of a 600-leaf tree from its tiles', () => {
    const n = 600;
    const leaves = leavesOf(n);
    const nodes = new Map<string, Uint8Array>();
    const range = CompactRange.empty();
    for (const leaf of leaves) range.append(leaf, (level, index, hash) => nodes.set(`${level}/${index}`, hash));
    // Tiles as a log serves them: level-L tiles hold the hashes of tree level 8L.
    const tileBytes = (level: number, index: number): Uint8Array => {
      const width = tileWidth(n, level, index);
      const out = new Uint8Array(width * 32);
      for (let i = 0; i < width; i++) out.set(nodes.get(`${level * 8}/${index * 256 + i}`) as Uint8Array, i * 32);
      return out;
    };
    for (const [key, hash] of nodes) {
      const [level, index] = key.split('/').map(Number) as [number, number];
      const ref = tileForNode(level, index);
      const data = tileBytes(ref.tile.level, ref.tile.index);
      expect(data.length).toBeGreaterThanOrEqual(ref.tile.width * 32);
      expect(hashFromTile(data, ref)).toEqual(hash);
    }
    expect(refRoot(leaves.slice(0, 256))).toEqual(nodes.get('8/0'));
  });

  it('rejects malformed tiles', () => {
    const ref = tileForNode(1, 2);
    expect(codeOf(() => hashFromTile(new Uint8Array(33), ref))).toBe('INVALID_TILE');
    expect(codeOf(() => hashFromTile(new Uint8Array(32 * 5), ref))).toBe('INVALID_TILE');
    expect(codeOf(() => hashFromTile(new Uint8Array(32 * (TILE_WIDTH + 1)), ref))).toBe('INVALID_TILE');
  });
});

describe('entry bundles', () => {
  it('round-trips', () => {
    const entries = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)];
    expect(parseEntryBundle(formatEntryBundle(entries))).toEqual(entries);
  });
  it('rejects truncation', () => {
    expect(codeOf(() => parseEntryBundle(new Uint8Array([0])))).toBe('INVALID_TILE');
    expect(codeOf(() => parseEntryBundle(new Uint8Array([0, 5, 1])))).toBe('INVALID_TILE');
    expect(codeOf(() => formatEntryBundle([new Uint8Array(70000)]))).toBe('INVALID_ARGUMENT');
  });
});
