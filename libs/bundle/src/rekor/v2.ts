import { PublicKeyDetails } from '@sigstore/protobuf-specs';
import {
  CreateEntryRequest,
  DSSELogEntryV002,
  HashedRekordLogEntryV002,
  HashedRekordRequestV002,
  Verifier,
} from '@sigstore/protobuf-specs/rekor/v2';
import { validateEnvelope, validateHashOutput } from '../bundle-validate.js';
import { envelopeFromValidatedJson, envelopeToJSON } from '../dsse.js';
import { Fields, parseJsonText, type JsonObject } from '../json.js';
import type { DsseEnvelope } from '../types.js';
import { canonicalJsonBytes } from './common.js';

// Rekor v2 (rekor-tiles) entries are protobuf messages; their JSON follows
// protobuf JSON (camelCase names, base64 bytes, enum names) and the logged
// body is the RFC 8785 canonical form of that JSON.

const KEY_DETAILS_NAMES = Object.keys(PublicKeyDetails).filter(
  (k) => Number.isNaN(Number(k)) && k !== 'PUBLIC_KEY_DETAILS_UNSPECIFIED',
);

export interface HashedRekordV002 {
  kind: 'hashedrekord';
  apiVersion: '0.0.2';
  entry: HashedRekordLogEntryV002;
}

export interface DsseV002 {
  kind: 'dsse';
  apiVersion: '0.0.2';
  entry: DSSELogEntryV002;
}

function validateVerifier(f: Fields): void {
  f.only(['publicKey', 'x509Certificate', 'keyDetails']);
  const which = f.exactlyOne(['publicKey', 'x509Certificate'] as const, 'verifier');
  f.object(which).only(['rawBytes']).base64('rawBytes');
  f.oneOf('keyDetails', KEY_DETAILS_NAMES);
}

function validateSignature(f: Fields): void {
  f.only(['content', 'verifier']);
  f.base64('content');
  validateVerifier(f.object('verifier'));
}

export function readHashedRekordV002(f: Fields): HashedRekordV002 {
  f.only(['apiVersion', 'kind', 'spec']);
  const inner = f.object('spec').only(['hashedRekordV002']).object('hashedRekordV002').only(['data', 'signature']);
  validateHashOutput(inner.object('data'));
  validateSignature(inner.object('signature'));
  return { kind: 'hashedrekord', apiVersion: '0.0.2', entry: HashedRekordLogEntryV002.fromJSON(inner.value) };
}

export function readDsseV002(f: Fields): DsseV002 {
  f.only(['apiVersion', 'kind', 'spec']);
  const inner = f.object('spec').only(['dsseV002']).object('dsseV002').only(['payloadHash', 'signatures']);
  validateHashOutput(inner.object('payloadHash'));
  for (const s of inner.array('signatures', { min: 1 })) validateSignature(Fields.of(s.value, s.path));
  return { kind: 'dsse', apiVersion: '0.0.2', entry: DSSELogEntryV002.fromJSON(inner.value) };
}

export function buildHashedRekordV002(entry: HashedRekordLogEntryV002): Uint8Array {
  return canonicalJsonBytes({
    apiVersion: '0.0.2',
    kind: 'hashedrekord',
    spec: { hashedRekordV002: HashedRekordLogEntryV002.toJSON(entry) },
  });
}

export function buildDsseV002(entry: DSSELogEntryV002): Uint8Array {
  return canonicalJsonBytes({ apiVersion: '0.0.2', kind: 'dsse', spec: { dsseV002: DSSELogEntryV002.toJSON(entry) } });
}

/** A Rekor v2 write request, typed; the DSSE envelope keeps keyid presence. */
export type RekorV2Request =
  | { $case: 'hashedRekordRequestV002'; request: HashedRekordRequestV002 }
  | { $case: 'dsseRequestV002'; envelope: DsseEnvelope; verifiers: Verifier[] };

/**
 * Parses the body of a Rekor v2 create-entry request (attacker-controlled):
 * `{"hashedRekordRequestV002": {...}}` or `{"dsseRequestV002": {...}}`.
 */
export function parseRekorV2Request(input: string | Uint8Array | unknown): RekorV2Request {
  const value = typeof input === 'string' || input instanceof Uint8Array ? parseJsonText(input) : input;
  const f = Fields.of(value, '').only(['hashedRekordRequestV002', 'dsseRequestV002']);
  const which = f.exactlyOne(['hashedRekordRequestV002', 'dsseRequestV002'] as const, 'request');
  const r = f.object(which);
  if (which === 'hashedRekordRequestV002') {
    r.only(['digest', 'signature']);
    r.base64('digest');
    validateSignature(r.object('signature'));
    return { $case: which, request: HashedRekordRequestV002.fromJSON(r.value) };
  }
  r.only(['envelope', 'verifiers']);
  validateEnvelope(r.object('envelope'));
  const verifiers = r.array('verifiers', { min: 1 }).map((v) => {
    validateVerifier(Fields.of(v.value, v.path));
    return Verifier.fromJSON(v.value);
  });
  return { $case: which, envelope: envelopeFromValidatedJson(r.value['envelope'] as JsonObject), verifiers };
}

/** The JSON value of a Rekor v2 create-entry request. */
export function rekorV2RequestToJSON(request: RekorV2Request): JsonObject {
  if (request.$case === 'hashedRekordRequestV002') {
    return CreateEntryRequest.toJSON({ spec: { $case: request.$case, hashedRekordRequestV002: request.request } }) as JsonObject;
  }
  return {
    dsseRequestV002: {
      envelope: envelopeToJSON(request.envelope),
      verifiers: request.verifiers.map((v) => Verifier.toJSON(v)),
    },
  };
}
