import { describe, expect, it } from 'vitest';
import * as merkle from './index.js';

// The public surface is deliberate: adding or removing a runtime export must
// show up here.
describe('@sigstack/merkle public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(merkle).sort()).toEqual([
      'CompactRange',
      'HASH_SIZE',
      'MerkleError',
      'NoteKeyType',
      'TILE_HEIGHT',
      'TILE_WIDTH',
      'consistencyProof',
      'cosignatureNoteSigner',
      'cosignatureNoteVerifier',
      'cosignatureTimestamp',
      'ecdsaNoteSigner',
      'ecdsaNoteVerifier',
      'ed25519NoteSigner',
      'ed25519NoteVerifier',
      'emptyRoot',
      'encodeSignerKey',
      'encodeVerifierKey',
      'entryBundlePath',
      'formatCheckpoint',
      'formatEntryBundle',
      'formatNote',
      'hashChildren',
      'hashFromTile',
      'hashLeaf',
      'inclusionProof',
      'isValidKeyName',
      'merkleRoot',
      'openCheckpoint',
      'parseCheckpoint',
      'parseEntryBundle',
      'parseNote',
      'parseSignerKey',
      'parseTilePath',
      'parseVerifierKey',
      'planConsistencyProof',
      'planInclusionProof',
      'rangeNodes',
      'rightEdgeNodes',
      'rootFromInclusionProof',
      'signNote',
      'tileForNode',
      'tilePath',
      'tileWidth',
      'verifyConsistency',
      'verifyInclusion',
      'verifyNote',
    ]);
  });

  it('has one error class with a code', () => {
    const e = new merkle.MerkleError('INVALID_PROOF', 'x', { cause: 1 });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('INVALID_PROOF');
    expect(e.name).toBe('MerkleError');
    expect(e.cause).toBe(1);
  });
});
