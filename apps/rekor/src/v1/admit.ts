import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  BundleError,
  buildDsseV001,
  buildHashedRekordV001,
  parseEntryBody,
  parseEnvelope,
  parseRekorV1Request,
  preAuthEncoding,
  type DsseEnvelope,
} from '@sigstack/bundle';
import type { ServiceError } from '@sigstack/server';
import { rekorErrors } from '../errors.js';
import { verifierFromPem, verifyOverDigest, verifyOverMessage, type EntryVerifier } from '../verifiers.js';

/** A proposed entry that passed every check: the body to log and its search-index keys. */
export interface AdmittedEntry {
  readonly body: Uint8Array;
  readonly keys: readonly string[];
}

export const V1_KINDS = ['hashedrekord 0.0.1', 'dsse 0.0.1', 'intoto 0.0.2'] as const;

const sha256hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const b64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');

function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value) as string);
}

/** libs/bundle's refusals, as this service's codes. */
function fromBundleError(err: unknown): never {
  if (err instanceof BundleError) {
    if (err.code === 'UNSUPPORTED_ENTRY_KIND') throw unsupported(err.message);
    throw rekorErrors.create('INVALID_ENTRY', err.message, { cause: err });
  }
  throw err;
}

function unsupported(detail: string): ServiceError {
  return rekorErrors.create('UNSUPPORTED_KIND', `${detail}; this log accepts ${V1_KINDS.join(', ')}`);
}

/**
 * Checks a Rekor v1 proposed entry (attacker-controlled) and builds its canonical body, as
 * Rekor would: the signature must verify against the key or certificate in the entry.
 */
export function admitV1(input: unknown): AdmittedEntry {
  const head = input as { kind?: unknown; apiVersion?: unknown } | null;
  const kind = typeof head?.kind === 'string' ? head.kind : '';
  const version = typeof head?.apiVersion === 'string' ? head.apiVersion : '';
  const label = `${kind} ${version}`;
  if (!(V1_KINDS as readonly string[]).includes(label)) {
    throw unsupported(`unsupported entry kind ${JSON.stringify(kind.slice(0, 40))} version ${JSON.stringify(version.slice(0, 20))}`);
  }
  try {
    if (kind === 'intoto') return admitIntoto(input);
    const request = parseRekorV1Request(input);
    return request.kind === 'hashedrekord' ? admitHashedRekord(request) : admitDsse(request.envelope, request.verifiers);
  } catch (err) {
    return fromBundleError(err);
  }
}

function admitHashedRekord(r: { algorithm: 'sha256' | 'sha384' | 'sha512'; digest: Buffer; signature: Buffer; publicKey: Buffer }): AdmittedEntry {
  const verifier = verifierFromPem(r.publicKey);
  if (!verifyOverDigest(verifier, r.algorithm, r.digest, r.signature)) {
    throw rekorErrors.create('INVALID_SIGNATURE', 'the signature does not verify against the public key or certificate for this digest');
  }
  const body = buildHashedRekordV001({ algorithm: r.algorithm, digest: r.digest, signature: r.signature, publicKey: verifier.pem });
  return { body, keys: [`${r.algorithm}:${r.digest.toString('hex')}`, ...verifierKeys(verifier)] };
}

function verifierKeys(v: EntryVerifier): string[] {
  return [v.fingerprint, ...v.subjects];
}

/** Every DSSE signature must verify with one of the verifiers; returns the verifier of each. */
function verifyEnvelope(env: DsseEnvelope, verifiers: readonly EntryVerifier[]): EntryVerifier[] {
  const pae = preAuthEncoding(env.payloadType, env.payload);
  return env.signatures.map((s, i) => {
    const found = verifiers.find((v) => verifyOverMessage(v, pae, s.sig));
    if (!found) throw rekorErrors.create('INVALID_SIGNATURE', `envelope signature ${i} does not verify against any of the verifiers`);
    return found;
  });
}

function admitDsse(envelopeJson: string, verifierPems: readonly Buffer[]): AdmittedEntry {
  const env = parseEnvelope(envelopeJson);
  if (env.payload.length === 0) throw rekorErrors.create('INVALID_ENTRY', 'envelope payload is empty');
  const verifiers = verifierPems.map((p) => verifierFromPem(p));
  const used = verifyEnvelope(env, verifiers);
  const body = buildDsseV001({
    envelopeJson,
    payload: env.payload,
    signatures: env.signatures.map((s, i) => ({ signature: s.sig, verifier: (used[i] as EntryVerifier).pem })),
  });
  const keys = [`sha256:${sha256hex(envelopeJson)}`, `sha256:${sha256hex(env.payload)}`, ...used.flatMap(verifierKeys), ...statementDigests(env)];
  return { body, keys };
}

/**
 * intoto 0.0.2 as Rekor stores it: the envelope without its payload, the client's envelope
 * hash kept, the payload hash recomputed; signatures and keys as the client sent them.
 */
function admitIntoto(input: unknown): AdmittedEntry {
  const parsed = parseEntryBody(input);
  if (parsed.kind !== 'intoto') throw unsupported('not an intoto entry');
  if (parsed.payload === undefined) throw rekorErrors.create('INVALID_ENTRY', 'spec.content.envelope.payload: missing envelope content');
  const env: DsseEnvelope = {
    payloadType: parsed.payloadType,
    payload: parsed.payload,
    signatures: parsed.signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : { sig: s.sig, keyid: s.keyid })),
  };
  const verifiers = parsed.signatures.map((s) => verifierFromPem(s.publicKey));
  const pae = preAuthEncoding(env.payloadType, env.payload);
  parsed.signatures.forEach((s, i) => {
    // Rekor accepts a signature verified by any of the entry's keys.
    if (!verifiers.some((v) => verifyOverMessage(v, pae, s.sig))) {
      throw rekorErrors.create('INVALID_SIGNATURE', `envelope signature ${i} does not verify against any of the public keys`);
    }
  });
  const payloadHash = sha256hex(parsed.payload);
  if (parsed.payloadHash.toString('hex') !== payloadHash) {
    throw rekorErrors.create('DIGEST_MISMATCH', 'spec.content.payloadHash does not match the envelope payload');
  }
  const twice = (b: Uint8Array): string => b64(Buffer.from(b64(b), 'latin1'));
  const body = canonicalBytes({
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: {
          payloadType: parsed.payloadType,
          signatures: parsed.signatures.map((s) => ({
            ...(s.keyid ? { keyid: s.keyid } : {}),
            publicKey: b64(s.publicKey),
            sig: twice(s.sig),
          })),
        },
        hash: { algorithm: 'sha256', value: parsed.hash.toString('hex') },
        payloadHash: { algorithm: 'sha256', value: payloadHash },
      },
    },
  });
  return { body, keys: [...verifiers.flatMap(verifierKeys), `sha256:${payloadHash}`, ...statementDigests(env)] };
}

/** Subject digests of an in-toto statement payload, as Rekor indexes them (best effort). */
function statementDigests(env: DsseEnvelope): string[] {
  if (env.payloadType !== 'application/vnd.in-toto+json') return [];
  try {
    const statement = JSON.parse(Buffer.from(env.payload).toString('utf8')) as { subject?: { digest?: Record<string, unknown> }[] };
    const out: string[] = [];
    for (const s of Array.isArray(statement.subject) ? statement.subject.slice(0, 64) : []) {
      for (const [alg, value] of Object.entries(s?.digest ?? {})) {
        if (typeof value === 'string' && value.length <= 128 && alg.length <= 32) out.push(`${alg}:${value}`.toLowerCase());
      }
    }
    return out;
  } catch {
    return [];
  }
}
