/**
 * Every failure this library reports is a MerkleError with one of these codes.
 * Callers (and tests) branch on `code`, never on the message. Codes are never
 * reused for a different meaning.
 */
export type MerkleErrorCode =
  /** A caller passed a value outside the documented domain (a bug in the caller). */
  | 'INVALID_ARGUMENT'
  /** A leaf hash is not exactly 32 bytes. */
  | 'INVALID_LEAF_HASH'
  /** A proof is malformed: bad index/size, wrong length, wrong element size. */
  | 'INVALID_PROOF'
  /** A well-formed proof leads to a different root than the one expected. */
  | 'ROOT_MISMATCH'
  /** A signed note does not follow c2sp.org/signed-note. */
  | 'INVALID_NOTE'
  /** A verifier or signer key (vkey/skey, public key) is malformed or unsupported. */
  | 'INVALID_KEY'
  /** A signature made by a known key does not verify. */
  | 'NOTE_SIGNATURE_INVALID'
  /** No signature by any known key was found on a note. */
  | 'NO_TRUSTED_SIGNATURE'
  /** A checkpoint body does not follow c2sp.org/tlog-checkpoint. */
  | 'INVALID_CHECKPOINT'
  /** A tile or entry bundle path does not follow c2sp.org/tlog-tiles. */
  | 'INVALID_TILE_PATH'
  /** Tile bytes are too short or not a whole number of hashes. */
  | 'INVALID_TILE';

export class MerkleError extends Error {
  readonly code: MerkleErrorCode;

  constructor(code: MerkleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MerkleError';
    this.code = code;
  }
}
