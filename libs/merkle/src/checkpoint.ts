import { MerkleError } from './errors.js';
import { HASH_SIZE } from './hash.js';
import { decodeBase64, encodeBase64, isCleanText } from './encoding.js';
import { verifyNote, type Note, type NoteVerifier, type VerifiedNote } from './note.js';

/**
 * The body of a c2sp.org/tlog-checkpoint note. `size` is a number: sizes
 * beyond 2^53 - 1 cannot be represented and are rejected as invalid.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty extension lines after the root hash (NOT RECOMMENDED by the spec). */
  readonly extensions: readonly string[];
}

const SIZE = /^(?:0|[1-9][0-9]*)$/;

function invalid(message: string): MerkleError {
  return new MerkleError('INVALID_CHECKPOINT', message);
}

/** Strictly parse checkpoint text (the note text, ending in a newline). */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw invalid('checkpoint must end with a newline');
  if (!isCleanText(text)) throw invalid('checkpoint contains control characters or invalid Unicode');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw invalid('checkpoint needs origin, size and root hash lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) throw invalid('empty origin');
  if (!SIZE.test(sizeText)) throw invalid('tree size is not a decimal without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw invalid('tree size is too large');
  const rootHash = decodeBase64(rootText);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) throw invalid('root hash is not base64 of 32 bytes');
  for (const line of extensions) if (line.length === 0) throw invalid('empty extension line');
  return { origin, size, rootHash, extensions };
}

/** Serialise a checkpoint body; the inverse of parseCheckpoint. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n')) throw invalid('invalid origin');
  if (!Number.isSafeInteger(size) || size < 0) throw invalid('invalid tree size');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) throw invalid('root hash must be 32 bytes');
  for (const line of extensions) {
    if (typeof line !== 'string' || line.length === 0 || line.includes('\n')) throw invalid('invalid extension line');
  }
  const text = [origin, String(size), encodeBase64(rootHash), ...extensions].join('\n') + '\n';
  if (!isCleanText(text)) throw invalid('checkpoint contains control characters or invalid Unicode');
  return text;
}

/** A verified checkpoint note and its parsed body. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: VerifiedNote;
}

/**
 * Verify a signed checkpoint note with `verifiers` and parse its body. When
 * `origin` is given the checkpoint must be for that log (INVALID_CHECKPOINT).
 */
export function openCheckpoint(
  input: string | Uint8Array | Note,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): OpenedCheckpoint {
  const note = verifyNote(input, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw invalid(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`);
  }
  return { checkpoint, note };
}
