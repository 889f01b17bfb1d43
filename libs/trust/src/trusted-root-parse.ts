import type { DistinguishedName, LogId, X509Certificate } from '@sigstore/protobuf-specs';
import { decodeBase64 } from './base64.js';
import { parseHashAlgorithm, parseKeyDetails } from './enums.js';
import { TrustError } from './error.js';
import { ObjectReader, expectString, toJsonValue } from './json-reader.js';
import { TRUSTED_ROOT_MEDIA_TYPES } from './media-types.js';
import type { CertificateAuthority, PublicKey, TransparencyLogInstance, TrustedRoot } from './types.js';
import { parseValidity } from './validity.js';

/**
 * Parses trusted_root.json (protobuf-specs TrustedRoot in protobuf JSON) strictly: unknown
 * fields, unknown enum names, bad base64, bad timestamps and windows without a start are
 * errors. `input` is JSON text (string or UTF-8 bytes) or an already parsed JSON value.
 */
export function parseTrustedRoot(input: unknown): TrustedRoot {
  const r = new ObjectReader(toJsonValue(input), '', [
    'mediaType',
    'tlogs',
    'certificateAuthorities',
    'ctlogs',
    'timestampAuthorities',
  ]);
  const mediaType = r.requiredString('mediaType');
  if (!TRUSTED_ROOT_MEDIA_TYPES.includes(mediaType)) {
    throw new TrustError('UNSUPPORTED_MEDIA_TYPE', `unsupported trusted root media type ${JSON.stringify(mediaType)}`, {
      field: 'mediaType',
    });
  }
  return {
    mediaType,
    tlogs: r.array('tlogs', parseLogInstance),
    certificateAuthorities: r.array('certificateAuthorities', parseAuthority),
    ctlogs: r.array('ctlogs', parseLogInstance),
    timestampAuthorities: r.array('timestampAuthorities', parseAuthority),
  };
}

function parseLogInstance(value: unknown, path: string): TransparencyLogInstance {
  const r = new ObjectReader(value, path, ['baseUrl', 'hashAlgorithm', 'publicKey', 'logId', 'checkpointKeyId', 'operator']);
  const checkpointKeyId = r.optional('checkpointKeyId');
  return {
    baseUrl: r.requiredString('baseUrl'),
    hashAlgorithm: parseHashAlgorithm(r.required('hashAlgorithm'), r.fieldPath('hashAlgorithm')),
    publicKey: parsePublicKey(r.required('publicKey'), r.fieldPath('publicKey')),
    logId: parseLogId(r.required('logId'), r.fieldPath('logId'), 1),
    // A signed-note key hint is 4 bytes; anything shorter cannot identify a checkpoint key.
    checkpointKeyId:
      checkpointKeyId === undefined ? undefined : parseLogId(checkpointKeyId, r.fieldPath('checkpointKeyId'), 4),
    operator: r.optionalString('operator') ?? '',
  };
}

function parsePublicKey(value: unknown, path: string): PublicKey {
  const r = new ObjectReader(value, path, ['rawBytes', 'keyDetails', 'validFor']);
  return {
    rawBytes: requiredBytes(r, 'rawBytes'),
    keyDetails: parseKeyDetails(r.required('keyDetails'), r.fieldPath('keyDetails')),
    validFor: parseValidity(r.required('validFor'), r.fieldPath('validFor')),
  };
}

function parseLogId(value: unknown, path: string, minLength: number): LogId {
  const r = new ObjectReader(value, path, ['keyId']);
  const keyId = requiredBytes(r, 'keyId');
  if (keyId.length < minLength) {
    throw new TrustError('INVALID_FIELD', `key id must be at least ${minLength} bytes`, { field: r.fieldPath('keyId') });
  }
  return { keyId };
}

function parseAuthority(value: unknown, path: string): CertificateAuthority {
  const r = new ObjectReader(value, path, ['subject', 'uri', 'certChain', 'validFor', 'operator']);
  const subject = r.optional('subject');
  return {
    subject: subject === undefined ? { organization: '', commonName: '' } : parseSubject(subject, r.fieldPath('subject')),
    uri: r.optionalString('uri') ?? '',
    certChain: { certificates: parseCertificates(r.required('certChain'), r.fieldPath('certChain')) },
    validFor: parseValidity(r.required('validFor'), r.fieldPath('validFor')),
    operator: r.optionalString('operator') ?? '',
  };
}

function parseSubject(value: unknown, path: string): DistinguishedName {
  const r = new ObjectReader(value, path, ['organization', 'commonName']);
  return { organization: r.optionalString('organization') ?? '', commonName: r.optionalString('commonName') ?? '' };
}

function parseCertificates(value: unknown, path: string): X509Certificate[] {
  const r = new ObjectReader(value, path, ['certificates']);
  const certificates = r.array('certificates', (cert, certPath) => ({
    rawBytes: requiredBytes(new ObjectReader(cert, certPath, ['rawBytes']), 'rawBytes'),
  }));
  // An authority without a certificate can never anchor a chain; refuse it here.
  if (certificates.length === 0) {
    throw new TrustError('MISSING_FIELD', 'certificate chain is empty', { field: r.fieldPath('certificates') });
  }
  return certificates;
}

function requiredBytes(r: ObjectReader, key: string): Buffer {
  const path = r.fieldPath(key);
  const bytes = decodeBase64(expectString(r.required(key), path), path);
  if (bytes.length === 0) throw new TrustError('MISSING_FIELD', 'required bytes are empty', { field: path });
  return bytes;
}
