import { PublicKeyDetails } from '@sigstore/protobuf-specs';
import {
  ecdsaNoteVerifier,
  ed25519NoteVerifier,
  MerkleError,
  parseCheckpoint,
  parseNote,
  verifyNote,
  type Checkpoint,
  type Note,
  type NoteVerifier,
} from '@sigstack/merkle';
import type { TransparencyLogInstance, TrustedRoot } from '@sigstack/trust';
import { bytesEqual } from './bytes.js';
import { fail } from './error.js';
import { trustedDerived } from './trust-cache.js';

const invalid = (message: string, cause?: unknown) => fail('CHECKPOINT_INVALID', `checkpoint: ${message}`, cause);

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The signed-note key names a log may sign with: its base URL's hostname (what sigstore-go's
 * rekor-tiles note verifier uses), or host:port (a log served on a non-default port).
 */
export function logKeyNames(baseUrl: string): string[] {
  try {
    const url = new URL(baseUrl);
    return [...new Set([url.hostname, url.host])].filter((n) => n.length > 0);
  } catch {
    return [];
  }
}

// A trusted root names few logs: their key names, parsed once per base URL.
const keyNames = new Map<string, readonly string[]>();

function keyNamesOf(baseUrl: string): readonly string[] {
  let names = keyNames.get(baseUrl);
  if (names === undefined) {
    if (keyNames.size >= 256) keyNames.clear();
    keyNames.set(baseUrl, (names = Object.freeze(logKeyNames(baseUrl))));
  }
  return names;
}

// Note verifiers built from trusted-root log keys, per name, key type and exact key bytes.
const verifiers = new Map<string, NoteVerifier>();

/**
 * A note verifier for a log key under `name`, or undefined for key types checkpoints never use.
 * `name` is always one of the log's own key names (from its trusted base URL).
 */
function noteVerifier(name: string, log: TransparencyLogInstance): NoteVerifier | undefined {
  const raw = log.publicKey.rawBytes;
  return trustedDerived(verifiers, `${log.publicKey.keyDetails}\u0000${name}`, raw, () => buildNoteVerifier(name, log.publicKey.keyDetails, raw));
}

function buildNoteVerifier(name: string, keyDetails: PublicKeyDetails, raw: Uint8Array): NoteVerifier | undefined {
  try {
    switch (keyDetails) {
      case PublicKeyDetails.PKIX_ED25519: {
        if (raw.length !== ED25519_SPKI_PREFIX.length + 32 || !bytesEqual(raw.subarray(0, ED25519_SPKI_PREFIX.length), ED25519_SPKI_PREFIX)) return undefined;
        return ed25519NoteVerifier(name, raw.subarray(ED25519_SPKI_PREFIX.length));
      }
      case PublicKeyDetails.PKIX_ECDSA_P256_SHA_256:
      case PublicKeyDetails.PKIX_ECDSA_P384_SHA_384:
      case PublicKeyDetails.PKIX_ECDSA_P521_SHA_512:
        return ecdsaNoteVerifier(name, raw);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * Verifiers for every signature line made, by name and key ID, by a log of the trusted root.
 * Lines by other keys (witness cosignatures, unknown keys) get none and are ignored, as
 * c2sp.org/signed-note says; a line that does match a trusted log must verify.
 */
function trustedVerifiers(note: Note, root: TrustedRoot): NoteVerifier[] {
  const out = new Map<string, NoteVerifier>();
  for (const sig of note.signatures) {
    for (const log of root.tlogs) {
      if (!keyNamesOf(log.baseUrl).includes(sig.name)) continue;
      const v = noteVerifier(sig.name, log);
      if (v !== undefined && v.keyHash === sig.keyHash) out.set(`${v.name}\u0000${v.keyHash}`, v);
    }
  }
  return [...out.values()];
}

/**
 * Verifies an inclusion proof's checkpoint: a signed note whose signatures by trusted logs
 * all verify, one of them by `log` (the entry's log), with an origin naming that log.
 * Rekor v1 origins are `<hostname> - <tree ID>`; Rekor v2 origins are the key name itself.
 */
export function verifyCheckpoint(envelope: string, log: TransparencyLogInstance, root: TrustedRoot, rekorV2: boolean): Checkpoint {
  let note: Note;
  try {
    note = parseNote(envelope);
  } catch (cause) {
    throw invalid(cause instanceof Error ? cause.message : 'malformed signed note', cause);
  }
  const verifiers = trustedVerifiers(note, root);
  let verified;
  try {
    verified = verifyNote(note, verifiers);
  } catch (cause) {
    if (cause instanceof MerkleError && cause.code === 'NO_TRUSTED_SIGNATURE') throw invalid('no signature by a log of the trusted root', cause);
    throw invalid(cause instanceof Error ? cause.message : 'a signature does not verify', cause);
  }
  const byLog = verified.verified.find((sig) => {
    const v = noteVerifier(sig.name, log);
    return v !== undefined && v.keyHash === sig.keyHash && keyNamesOf(log.baseUrl).includes(sig.name);
  });
  if (byLog === undefined) throw invalid(`not signed by the entry's log ${log.baseUrl}`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(verified.text);
  } catch (cause) {
    throw invalid(cause instanceof Error ? cause.message : 'malformed checkpoint body', cause);
  }
  const name = byLog.name;
  const originOk = rekorV2 ? checkpoint.origin === name : checkpoint.origin === name || isShardOrigin(checkpoint.origin, name);
  if (!originOk) throw invalid(`origin ${JSON.stringify(checkpoint.origin)} is not the log ${JSON.stringify(name)}`);
  return checkpoint;
}

/** `<name> - <tree ID>`: a Rekor v1 shard's origin. */
function isShardOrigin(origin: string, name: string): boolean {
  const prefix = `${name} - `;
  return origin.startsWith(prefix) && /^[0-9]+$/.test(origin.slice(prefix.length));
}
