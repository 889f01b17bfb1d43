// The bundle to verify: a Sigstore bundle file (--bundle), or one assembled from cosign's
// detached --signature (+ --certificate) files.
import { parseBundle, type SigstoreBundle } from '@sigstack/bundle';
import { decodePem, digest } from '@sigstack/crypto';
import type { Artifact } from '@sigstack/verify';
import { BUNDLE_MEDIA_TYPE, messageSignatureBundleJson } from '../sign/assemble.js';
import { CliError, usage } from '../errors.js';
import { readInput, readText } from '../files.js';
import { isLegacyBundle, legacyToBundle } from './legacy-bundle.js';
import type { CliIo } from '../io.js';

/** cosign writes signatures base64-encoded; raw bytes are accepted too, as cosign does. */
export function signatureBytes(text: Buffer): Buffer {
  const s = text.toString('utf8').trim();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0) return Buffer.from(s, 'base64');
  return text;
}

/** A Sigstore bundle, or cosign 2's own bundle format (converted; it needs the artifact). */
export function readBundle(io: CliIo, file: string, artifact?: Artifact): SigstoreBundle {
  const bytes = readInput(io, file, 'bundle');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    value = undefined; // parseBundle reports it
  }
  if (isLegacyBundle(value)) return legacyToBundle(value, artifact);
  return parseBundle(bytes);
}

export interface DetachedInput {
  readonly signature: string;
  readonly certificate: string | undefined;
  readonly artifact: Artifact;
}

/** A bundle with no log entry or timestamp, from detached files; the caller finds the log entry. */
export function bundleFromDetached(io: CliIo, input: DetachedInput): SigstoreBundle {
  const sig = signatureBytes(readInput(io, input.signature, 'signature'));
  const artifactDigest = 'data' in input.artifact ? digest('sha256', input.artifact.data) : input.artifact.digest;
  if ('algorithm' in input.artifact && input.artifact.algorithm !== 'sha256') throw usage('only sha256 digests are supported');
  let certificate: Uint8Array | undefined;
  if (input.certificate !== undefined) {
    const text = readText(io, input.certificate, 'certificate');
    try {
      certificate = decodePem(text, 'CERTIFICATE').der;
    } catch {
      // cosign's --output-certificate writes base64 of the PEM.
      certificate = decodePem(Buffer.from(text.trim(), 'base64').toString('utf8'), 'CERTIFICATE').der;
    }
  }
  try {
    return parseBundle(JSON.stringify(messageSignatureBundleJson({ mediaType: BUNDLE_MEDIA_TYPE, digest: artifactDigest, signature: sig, certificate, tlogEntries: [], timestamps: [] })));
  } catch (cause) {
    throw new CliError('INPUT', `the signature and certificate do not make a bundle: ${(cause as Error).message}`, { cause });
  }
}
