import { createHash } from 'node:crypto';
import { HASH_SIZE, merkleRoot } from '@sigstack/merkle';
import { describe, expect, it } from 'vitest';
import { TileCache } from '../src/tile-cache.js';

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);
const leaves = Array.from({ length: 256 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
const row = (count: number) => Buffer.concat(leaves.slice(0, count));
const TILE = 256 * HASH_SIZE;

describe('TileCache', () => {
  it('folds the levels between stored rows, equal to the reference tree', () => {
    const cache = new TileCache(1 << 20);
    cache.put(0, 0, row(256));
    for (const level of [0, 1, 3, 7]) {
      const span = 2 ** level;
      for (const index of [0, 1, 256 / span - 1]) {
        expect(hex(cache.node(level, index))).toBe(hex(merkleRoot(leaves, index * span, (index + 1) * span)));
      }
    }
  });

  it('never serves a partial tile as full: only nodes within its width', () => {
    const cache = new TileCache(1 << 20);
    cache.put(0, 0, row(10));
    expect(hex(cache.node(0, 9))).toBe(hex(leaves[9]));
    expect(cache.node(0, 10)).toBeUndefined();
    expect(hex(cache.node(3, 0))).toBe(hex(merkleRoot(leaves, 0, 8)));
    // Node (3, 1) covers leaves 8..15: not all of them are in a 10-wide copy.
    expect(cache.node(3, 1)).toBeUndefined();
    expect(cache.node(7, 0)).toBeUndefined();
    expect(cache.tile(0, 0, 256)).toBeUndefined();
    expect(cache.tile(0, 0, 11)).toBeUndefined();
    expect(hex(cache.tile(0, 0, 10))).toBe(hex(row(10)));
    expect(hex(cache.tile(0, 0, 4))).toBe(hex(row(4)));
  });

  it('lets a wider copy replace a narrower one, never the other way round', () => {
    const cache = new TileCache(1 << 20);
    cache.put(0, 0, row(10));
    expect(cache.node(3, 1)).toBeUndefined();
    cache.put(0, 0, row(16));
    expect(hex(cache.node(3, 1))).toBe(hex(merkleRoot(leaves, 8, 16)));
    cache.put(0, 0, row(12));
    expect(hex(cache.node(0, 15))).toBe(hex(leaves[15]));
    expect(cache.node(0, 16)).toBeUndefined();
  });

  it('keeps the nodes it folded when a tile widens, and folds the new ones from the new hashes', () => {
    const cache = new TileCache(1 << 20);
    cache.put(0, 0, row(10));
    const folded = [cache.node(1, 4), cache.node(3, 0)].map(hex);
    cache.put(0, 0, row(200));
    expect([cache.node(1, 4), cache.node(3, 0)].map(hex)).toEqual(folded);
    for (const [level, index] of [[1, 5], [3, 1], [6, 2], [7, 0]] as const) {
      const span = 2 ** level;
      expect(hex(cache.node(level, index))).toBe(hex(merkleRoot(leaves, index * span, (index + 1) * span)));
    }
    expect(cache.node(7, 1)).toBeUndefined();
    cache.put(0, 0, row(256));
    expect(hex(cache.node(7, 1))).toBe(hex(merkleRoot(leaves, 128, 256)));
    expect(hex(cache.tile(0, 0, 256))).toBe(hex(row(256)));
  });

  it('keeps tiles apart by level and index', () => {
    const cache = new TileCache(1 << 20);
    cache.put(1, 3, row(256));
    expect(cache.node(0, 3 * 256)).toBeUndefined();
    // Level 8 is tile level 1's bottom row: node (8, 3*256 + 5) is hash 5 of tile 1/3.
    expect(hex(cache.node(8, 3 * 256 + 5))).toBe(hex(leaves[5]));
    expect(hex(cache.node(9, 3 * 128 + 2))).toBe(hex(merkleRoot(leaves, 4, 6)));
  });

  it('stays within its memory bound, dropping the least recently used tile first', () => {
    const cache = new TileCache(3 * TILE);
    for (let i = 0; i < 3; i++) cache.put(0, i, row(256));
    expect(cache.size).toBe(3 * TILE);
    cache.node(0, 0); // tile 0 is now the most recently used
    cache.put(0, 3, row(256));
    expect(cache.size).toBeLessThanOrEqual(3 * TILE);
    expect(cache.tile(0, 1, 256)).toBeUndefined();
    expect(cache.tile(0, 0, 256)).toBeDefined();
    expect(cache.tile(0, 3, 256)).toBeDefined();
    // Folding levels takes memory too, and still stays in bounds.
    for (let i = 0; i < 8; i++) cache.put(0, 10 + i, row(256));
    for (let i = 0; i < 8; i++) cache.node(7, (10 + i) * 2);
    expect(cache.size).toBeLessThanOrEqual(3 * TILE);
  });

  it('caches nothing at size 0, and refuses malformed tiles', () => {
    const off = new TileCache(0);
    off.put(0, 0, row(256));
    expect(off.node(0, 0)).toBeUndefined();
    expect(off.size).toBe(0);
    expect(() => new TileCache(-1)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    const cache = new TileCache(1 << 20);
    expect(() => cache.put(0, 0, new Uint8Array(33))).toThrow(expect.objectContaining({ code: 'INCONSISTENT' }));
    expect(() => cache.put(0, 0, new Uint8Array(TILE + HASH_SIZE))).toThrow(expect.objectContaining({ code: 'INCONSISTENT' }));
  });
});
