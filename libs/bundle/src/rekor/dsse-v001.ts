import { BundleError } from '../error.js';
import { encodeBase64, encodeHex } from '../encoding.js';
import { base64Value, Fields } from '../json.js';
import { canonicalJsonBytes, checkDigestLength, digestOf } from './common.js';

export interface DsseV001Signature {
  signature: Buffer;
  /** PEM text (bytes) of the key or certificate that verified the signature. */
  verifier: Buffer;
}

/** A Rekor v1 dsse 0.0.1 entry in the form Rekor stores. */
export interface DsseV001 {
  kind: 'dsse';
  apiVersion: '0.0.1';
  /** sha256 of the envelope JSON exactly as it was submitted. */
  envelopeHash: Buffer;
  /** sha256 of the decoded envelope payload. */
  payloadHash: Buffer;
  signatures: DsseV001Signature[];
}

/** The request form: the envelope as a JSON string, plus PEM verifiers. */
export interface DsseV001Request {
  kind: 'dsse';
  apiVersion: '0.0.1';
  envelope: string;
  verifiers: Buffer[];
}

function readSha256(f: Fields, key: string): Buffer {
  const h = f.object(key).only(['algorithm', 'value']);
  h.oneOf('algorithm', ['sha256'] as const);
  return checkDigestLength('sha256', h.hex('value'), h.at('value'));
}

export function readDsseV001(f: Fields): DsseV001 {
  f.only(['apiVersion', 'kind', 'spec']);
  const spec = f.object('spec');
  if (spec.has('proposedContent')) {
    throw new BundleError('INVALID_FIELD', spec.at('proposedContent'), 'a stored dsse entry has no proposedContent');
  }
  spec.only(['envelopeHash', 'payloadHash', 'signatures']);
  return {
    kind: 'dsse',
    apiVersion: '0.0.1',
    envelopeHash: readSha256(spec, 'envelopeHash'),
    payloadHash: readSha256(spec, 'payloadHash'),
    signatures: spec.array('signatures', { min: 1 }).map((s) => {
      const sig = Fields.of(s.value, s.path).only(['signature', 'verifier']);
      return { signature: sig.base64('signature'), verifier: sig.base64('verifier') };
    }),
  };
}

/** Reads a dsse 0.0.1 proposed entry (what a client POSTs to Rekor v1). */
export function readDsseV001Request(f: Fields): DsseV001Request {
  f.only(['apiVersion', 'kind', 'spec']);
  const pc = f.object('spec').only(['proposedContent']).object('proposedContent').only(['envelope', 'verifiers']);
  return {
    kind: 'dsse',
    apiVersion: '0.0.1',
    envelope: pc.string('envelope', { nonEmpty: true }),
    verifiers: pc.array('verifiers', { min: 1 }).map((v) => base64Value(v.value, v.path)),
  };
}

/**
 * Canonical stored body of a dsse 0.0.1 entry. The caller (Rekor) has already
 * verified which verifier checks which signature; Rekor orders signatures by
 * their base64 text.
 */
export function buildDsseV001(input: {
  /** The envelope JSON exactly as submitted; its hash is recorded. */
  envelopeJson: string;
  payload: Uint8Array;
  signatures: { signature: Uint8Array; verifier: string | Uint8Array }[];
}): Uint8Array {
  const sigs = input.signatures
    .map((s) => ({
      signature: encodeBase64(s.signature),
      verifier: encodeBase64(typeof s.verifier === 'string' ? Buffer.from(s.verifier, 'utf8') : s.verifier),
    }))
    .sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
  return canonicalJsonBytes({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: encodeHex(digestOf('sha256', Buffer.from(input.envelopeJson, 'utf8'))) },
      payloadHash: { algorithm: 'sha256', value: encodeHex(digestOf('sha256', input.payload)) },
      signatures: sigs,
    },
  });
}

/** A dsse 0.0.1 proposed entry as a client sends it (JSON value, not canonicalised). */
export function buildDsseV001Request(envelopeJson: string, verifiers: (string | Uint8Array)[]): Record<string, unknown> {
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      proposedContent: {
        envelope: envelopeJson,
        verifiers: verifiers.map((v) => encodeBase64(typeof v === 'string' ? Buffer.from(v, 'utf8') : v)),
      },
    },
  };
}

