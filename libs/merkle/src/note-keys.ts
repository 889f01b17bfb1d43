import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { MerkleError } from './errors.js';
import { decodeBase64, encodeBase64, encodeUtf8, readUint32 } from './encoding.js';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note.js';

/** Signature type bytes of c2sp.org/signed-note that this library implements. */
export const NoteKeyType = {
  /** Ed25519 over the note text. */
  ED25519: 0x01,
  /** ECDSA over SHA-256 of the note text, key ID from the DER SPKI (Rekor v1 checkpoints). */
  ECDSA_SHA256: 0x02,
  /** Timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature). */
  COSIGNATURE_V1: 0x04,
} as const;
export type NoteKeyType = (typeof NoteKeyType)[keyof typeof NoteKeyType];

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

function invalidKey(message: string, cause?: unknown): MerkleError {
  return new MerkleError('INVALID_KEY', message, cause === undefined ? undefined : { cause });
}

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The recommended C2SP key ID: SHA-256(name || 0x0A || type || key)[:4]. */
function standardKeyHash(name: string, type: number, key: Uint8Array): number {
  return readUint32(sha256(encodeUtf8(name), new Uint8Array([0x0a, type]), key), 0);
}

/** Rekor's key ID: the first four bytes of SHA-256 of the DER SPKI (the log ID). */
function spkiKeyHash(spki: Uint8Array): number {
  return readUint32(sha256(spki), 0);
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw invalidKey(`invalid key name ${JSON.stringify(name)}`);
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw invalidKey('Ed25519 public key must be 32 bytes');
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw invalidKey('invalid Ed25519 public key', cause);
  }
}

function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw invalidKey('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function rawEd25519Public(key: KeyObject): Uint8Array {
  const spki = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length));
}

// node:crypto throws on some malformed signatures; to a note verifier that is
// simply an invalid signature.
function safeVerify(algorithm: string | null, message: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify(algorithm, message, key, signature);
  } catch {
    return false;
  }
}

/** Verifier for plain Ed25519 note signatures (type 0x01). */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name);
  const key = ed25519PublicKey(publicKey);
  return {
    name,
    keyHash: standardKeyHash(name, NoteKeyType.ED25519, publicKey),
    verify: (message, signature) => signature.length === 64 && safeVerify(null, message, key, signature),
  };
}

function ecPublicKey(spki: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (cause) {
    throw invalidKey('public key is not a DER SubjectPublicKeyInfo', cause);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve === undefined || !EC_CURVES.has(curve)) {
    throw invalidKey('public key is not ECDSA on P-256, P-384 or P-521');
  }
  // The key ID hashes these exact bytes, so only the canonical encoding is accepted.
  if (!Buffer.from(spki).equals(key.export({ format: 'der', type: 'spki' }))) {
    throw invalidKey('public key DER is not canonical');
  }
  return key;
}

/**
 * Verifier for ECDSA-with-SHA-256 note signatures as Rekor v1 makes them
 * (type 0x02): key ID = SHA-256(DER SPKI)[:4], signature = ASN.1 DER ECDSA.
 */
export function ecdsaNoteVerifier(name: string, spki: Uint8Array): NoteVerifier {
  checkName(name);
  const key = ecPublicKey(spki);
  return {
    name,
    keyHash: spkiKeyHash(spki),
    verify: (message, signature) => safeVerify('sha256', message, key, signature),
  };
}

const COSIGNATURE_SIZE = 8 + 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

function cosignedMessage(timestamp: bigint, message: Uint8Array): Uint8Array {
  const header = encodeUtf8(`cosignature/v1\ntime ${timestamp}\n`);
  const out = new Uint8Array(header.length + message.length);
  out.set(header, 0);
  out.set(message, header.length);
  return out;
}

/**
 * The POSIX timestamp (seconds) inside a cosignature/v1 signature, or
 * undefined when the bytes are not one.
 */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== COSIGNATURE_SIZE) return undefined;
  const t = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(t);
}

/** Verifier for timestamped Ed25519 witness cosignatures (type 0x04, c2sp.org/tlog-cosignature). */
export function cosignatureNoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name);
  const key = ed25519PublicKey(publicKey);
  return {
    name,
    keyHash: standardKeyHash(name, NoteKeyType.COSIGNATURE_V1, publicKey),
    verify: (message, signature) => {
      if (signature.length !== COSIGNATURE_SIZE) return false;
      const t = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
      if (t > MAX_TIMESTAMP) return false;
      return safeVerify(null, cosignedMessage(t, message), key, signature.subarray(8));
    },
  };
}

function splitKey(text: string, parts: number): string[] {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) throw invalidKey('key has too few fields');
    out.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  out.push(rest);
  return out;
}

const KEY_HASH = /^[0-9a-f]{8}$/;

/**
 * Parse a verifier key `name+hash+base64(type || key)` into a verifier.
 * Types 0x01 (Ed25519), 0x02 (ECDSA, DER SPKI) and 0x04 (cosignature/v1)
 * are supported; any other type, or a key ID that does not match the key,
 * is rejected with INVALID_KEY.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw invalidKey('verifier key must be a string');
  const [name, hash, b64] = splitKey(vkey, 3) as [string, string, string];
  checkName(name);
  if (!KEY_HASH.test(hash)) throw invalidKey('key ID must be 8 lowercase hex digits');
  const bytes = decodeBase64(b64);
  if (bytes === undefined || bytes.length < 2) throw invalidKey('key material is not base64');
  const type = bytes[0];
  const key = bytes.subarray(1);
  let verifier: NoteVerifier;
  switch (type) {
    case NoteKeyType.ED25519:
      verifier = ed25519NoteVerifier(name, key);
      break;
    case NoteKeyType.ECDSA_SHA256:
      verifier = ecdsaNoteVerifier(name, key);
      break;
    case NoteKeyType.COSIGNATURE_V1:
      verifier = cosignatureNoteVerifier(name, key);
      break;
    default:
      throw invalidKey(`unsupported signature type ${type}`);
  }
  if (verifier.keyHash !== parseInt(hash, 16)) throw invalidKey('key ID does not match the key');
  return verifier;
}

/** Encode a verifier key `name+hash+base64(type || key)` (key = raw Ed25519 key or DER SPKI). */
export function encodeVerifierKey(name: string, type: NoteKeyType, key: Uint8Array): string {
  // Building the verifier validates name and key and computes the key ID.
  const verifier =
    type === NoteKeyType.ED25519
      ? ed25519NoteVerifier(name, key)
      : type === NoteKeyType.ECDSA_SHA256
        ? ecdsaNoteVerifier(name, key)
        : type === NoteKeyType.COSIGNATURE_V1
          ? cosignatureNoteVerifier(name, key)
          : undefined;
  if (verifier === undefined) throw invalidKey(`unsupported signature type ${String(type)}`);
  const material = new Uint8Array(1 + key.length);
  material[0] = type;
  material.set(key, 1);
  return `${name}+${verifier.keyHash.toString(16).padStart(8, '0')}+${encodeBase64(material)}`;
}

/** Signer for plain Ed25519 note signatures from a 32-byte seed. */
export function ed25519NoteSigner(name: string, seed: Uint8Array): NoteSigner {
  checkName(name);
  const key = ed25519PrivateKey(seed);
  const publicKey = rawEd25519Public(createPublicKey(key));
  return {
    name,
    keyHash: standardKeyHash(name, NoteKeyType.ED25519, publicKey),
    sign: (message) => new Uint8Array(sign(null, message, key)),
  };
}

/**
 * Signer for Rekor v1-style ECDSA note signatures (SHA-256, ASN.1 DER)
 * from a node:crypto EC private key.
 */
export function ecdsaNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ec') {
    throw invalidKey('expected an EC private key');
  }
  const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  ecPublicKey(spki);
  return {
    name,
    keyHash: spkiKeyHash(spki),
    sign: (message) => new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' })),
  };
}

/**
 * Signer for timestamped Ed25519 cosignatures from a 32-byte seed. `clock`
 * (default: the system clock) gives the time the cosignature states.
 */
export function cosignatureNoteSigner(name: string, seed: Uint8Array, clock: () => Date = () => new Date()): NoteSigner {
  checkName(name);
  const key = ed25519PrivateKey(seed);
  const publicKey = rawEd25519Public(createPublicKey(key));
  return {
    name,
    keyHash: standardKeyHash(name, NoteKeyType.COSIGNATURE_V1, publicKey),
    sign: (message) => {
      const seconds = Math.floor(clock().getTime() / 1000);
      if (!Number.isSafeInteger(seconds) || seconds < 0) throw new MerkleError('INVALID_ARGUMENT', 'clock is before 1970');
      const t = BigInt(seconds);
      const out = new Uint8Array(COSIGNATURE_SIZE);
      Buffer.from(out.buffer).writeBigUInt64BE(t, 0);
      out.set(sign(null, cosignedMessage(t, message), key), 8);
      return out;
    },
  };
}

/**
 * Parse a signer key `PRIVATE+KEY+name+hash+base64(0x01 || seed)` (the Go
 * sumdb/note format) into an Ed25519 signer. The key ID must match.
 */
export function parseSignerKey(skey: string): NoteSigner {
  if (typeof skey !== 'string') throw invalidKey('signer key must be a string');
  const [p1, p2, name, hash, b64] = splitKey(skey, 5) as [string, string, string, string, string];
  if (p1 !== 'PRIVATE' || p2 !== 'KEY') throw invalidKey('signer key must start with PRIVATE+KEY+');
  checkName(name);
  if (!KEY_HASH.test(hash)) throw invalidKey('key ID must be 8 lowercase hex digits');
  const bytes = decodeBase64(b64);
  if (bytes === undefined || bytes.length !== 33) throw invalidKey('key material must be base64 of 33 bytes');
  if (bytes[0] !== NoteKeyType.ED25519) throw invalidKey(`unsupported signer type ${bytes[0]}`);
  const signer = ed25519NoteSigner(name, bytes.subarray(1));
  if (signer.keyHash !== parseInt(hash, 16)) throw invalidKey('key ID does not match the key');
  return signer;
}

/** Encode an Ed25519 signer key `PRIVATE+KEY+name+hash+base64(0x01 || seed)`. */
export function encodeSignerKey(name: string, seed: Uint8Array): string {
  const signer = ed25519NoteSigner(name, seed);
  const material = new Uint8Array(33);
  material[0] = NoteKeyType.ED25519;
  material.set(seed, 1);
  return `PRIVATE+KEY+${name}+${signer.keyHash.toString(16).padStart(8, '0')}+${encodeBase64(material)}`;
}
