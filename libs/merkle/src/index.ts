// Public surface of @sigstack/merkle: RFC 6962/9162 Merkle trees and proofs,
// C2SP signed notes and checkpoints, and the tlog-tiles layout. Pure
// functions over bytes and strings; the only I/O is what a caller's
// HashReader does.

export { MerkleError } from './errors.js';
export type { MerkleErrorCode } from './errors.js';

export { HASH_SIZE, hashLeaf, hashChildren, emptyRoot } from './hash.js';
export { rangeNodes } from './node.js';
export type { NodeId } from './node.js';
export { CompactRange, merkleRoot, rightEdgeNodes } from './compact-range.js';
export type { NodeVisitor } from './compact-range.js';

export { planInclusionProof, planConsistencyProof, inclusionProof, consistencyProof } from './proof.js';
export type { HashReader, ProofPlan } from './proof.js';
export { rootFromInclusionProof, verifyInclusion, verifyConsistency } from './verify.js';

export { parseNote, verifyNote, signNote, formatNote, isValidKeyName } from './note.js';
export type { Note, NoteSignature, NoteSigner, NoteVerifier, VerifiedNote } from './note.js';
export {
  NoteKeyType,
  parseVerifierKey,
  encodeVerifierKey,
  parseSignerKey,
  encodeSignerKey,
  ed25519NoteVerifier,
  ed25519NoteSigner,
  ecdsaNoteVerifier,
  ecdsaNoteSigner,
  cosignatureNoteVerifier,
  cosignatureNoteSigner,
  cosignatureTimestamp,
} from './note-keys.js';

export { parseCheckpoint, formatCheckpoint, openCheckpoint } from './checkpoint.js';
export type { Checkpoint, OpenedCheckpoint } from './checkpoint.js';

export {
  TILE_HEIGHT,
  TILE_WIDTH,
  tilePath,
  entryBundlePath,
  parseTilePath,
  tileForNode,
  hashFromTile,
  tileWidth,
  parseEntryBundle,
  formatEntryBundle,
} from './tiles.js';
export type { TileId, TilePath, TileNodeRef } from './tiles.js';
