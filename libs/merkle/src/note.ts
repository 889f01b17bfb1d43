import { MerkleError } from './errors.js';
import { decodeBase64, decodeUtf8, encodeBase64, encodeUtf8, isCleanText, readUint32, writeUint32 } from './encoding.js';

/** One signature line of a note: key name, 32-bit key ID, and the signature bytes after the ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: number;
  readonly signature: Uint8Array;
}

/** A parsed, not yet verified, signed note (c2sp.org/signed-note). */
export interface Note {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note whose text is vouched for by at least one known key. */
export interface VerifiedNote {
  readonly text: string;
  /** Valid signatures by known keys (one per key). */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys not in the verifier set, ignored as the spec requires. */
  readonly unverified: readonly NoteSignature[];
}

/** Checks note signatures for one key, identified by name and key ID. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID, the first four signature bytes. */
  readonly keyHash: number;
  /** True when `signature` (key ID stripped) is valid over the note text bytes. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note text for one key; may be async (KMS, HSM). */
export interface NoteSigner {
  readonly name: string;
  readonly keyHash: number;
  /** The signature over the note text bytes, without the key ID. */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

// Go's sumdb/note stops at 100; the spec asks for at least 16.
const MAX_SIGNATURES = 100;
const SIG_PREFIX = '\u2014 ';

const NAME_FORBIDDEN = /[\p{Z}\t\n\v\f\r\u0085+]/u;

/** Key names are non-empty, valid Unicode, with no spaces and no '+'. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !NAME_FORBIDDEN.test(name) && isCleanText(name);
}

function malformed(message: string): MerkleError {
  return new MerkleError('INVALID_NOTE', message);
}

function toText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) {
    const text = decodeUtf8(input);
    if (text === undefined) throw malformed('note is not valid UTF-8');
    return text;
  }
  throw malformed('note must be a string or bytes');
}

/**
 * Parse a signed note without verifying it. The input is attacker-controlled:
 * anything that is not exactly text, a blank line and signature lines is
 * rejected with INVALID_NOTE.
 */
export function parseNote(input: string | Uint8Array): Note {
  const message = toText(input);
  if (!isCleanText(message)) throw malformed('note contains control characters or invalid Unicode');
  // The text is separated from the signatures by the last blank line.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('note has no signature block');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature block must end with a newline');

  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('note has too many signatures');
  const signatures = lines.map((line) => parseSignatureLine(line));
  return { text, signatures };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw malformed('signature line does not start with an em dash and a space');
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('signature line has no signature');
  const name = rest.slice(0, space);
  const b64 = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw malformed('invalid key name in signature line');
  const raw = decodeBase64(b64);
  if (raw === undefined || raw.length < 5) throw malformed('signature is not base64 of a key ID and signature');
  return { name, keyHash: readUint32(raw, 0), signature: raw.slice(4) };
}

function verifierKey(name: string, keyHash: number): string {
  return `${name}\u0000${keyHash}`;
}

/**
 * Parse and verify a signed note. Signatures by unknown keys (name and key ID
 * not both matching a verifier) are ignored; every signature by a known key
 * must verify (NOTE_SIGNATURE_INVALID), and at least one must exist
 * (NO_TRUSTED_SIGNATURE).
 */
export function verifyNote(input: string | Uint8Array | Note, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const note = typeof input === 'string' || input instanceof Uint8Array ? parseNote(input) : input;
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const key = verifierKey(v.name, v.keyHash);
    if (known.has(key)) {
      throw new MerkleError('INVALID_ARGUMENT', `two verifiers share name ${v.name} and key ID ${v.keyHash}`);
    }
    known.set(key, v);
  }
  const message = encodeUtf8(note.text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of note.signatures) {
    const key = verifierKey(sig.name, sig.keyHash);
    const verifier = known.get(key);
    if (verifier === undefined) {
      unverified.push(sig);
      continue;
    }
    let ok: boolean;
    try {
      ok = verifier.verify(message, sig.signature);
    } catch (cause) {
      throw new MerkleError('NOTE_SIGNATURE_INVALID', `signature by ${sig.name} could not be checked`, { cause });
    }
    if (!ok) throw new MerkleError('NOTE_SIGNATURE_INVALID', `invalid signature by ${sig.name}`);
    if (!seen.has(key)) {
      seen.add(key);
      verified.push(sig);
    }
  }
  if (verified.length === 0) throw new MerkleError('NO_TRUSTED_SIGNATURE', 'note has no signature by a known key');
  return { text: note.text, verified, unverified };
}

function checkText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('note text must end with a newline');
  if (!isCleanText(text)) throw malformed('note text contains control characters or invalid Unicode');
}

/** Serialise a note: text, blank line, one line per signature. */
export function formatNote(note: Note): string {
  checkText(note.text);
  if (note.signatures.length === 0) throw malformed('a note needs at least one signature');
  let out = `${note.text}\n`;
  for (const sig of note.signatures) {
    if (!isValidKeyName(sig.name)) throw malformed(`invalid key name ${JSON.stringify(sig.name)}`);
    if (!Number.isInteger(sig.keyHash) || sig.keyHash < 0 || sig.keyHash > 0xffffffff) {
      throw malformed('key ID is not a uint32');
    }
    if (sig.signature.length === 0) throw malformed('empty signature');
    const raw = new Uint8Array(4 + sig.signature.length);
    raw.set(writeUint32(sig.keyHash), 0);
    raw.set(sig.signature, 4);
    out += `${SIG_PREFIX}${sig.name} ${encodeBase64(raw)}\n`;
  }
  return out;
}

/**
 * Sign note text with each signer. Given a parsed Note, its existing
 * signatures come first, except those by a key that signs again.
 */
export async function signNote(note: string | Note, signers: readonly NoteSigner[]): Promise<string> {
  const base: Note = typeof note === 'string' ? { text: note, signatures: [] } : note;
  checkText(base.text);
  if (signers.length === 0 && base.signatures.length === 0) throw new MerkleError('INVALID_ARGUMENT', 'no signers');
  const message = encodeUtf8(base.text);
  const fresh: NoteSignature[] = [];
  for (const signer of signers) {
    if (!isValidKeyName(signer.name)) throw new MerkleError('INVALID_KEY', `invalid signer name ${JSON.stringify(signer.name)}`);
    const signature = await signer.sign(message);
    fresh.push({ name: signer.name, keyHash: signer.keyHash, signature });
  }
  const replaced = new Set(fresh.map((s) => verifierKey(s.name, s.keyHash)));
  const kept = base.signatures.filter((s) => !replaced.has(verifierKey(s.name, s.keyHash)));
  return formatNote({ text: base.text, signatures: [...kept, ...fresh] });
}
