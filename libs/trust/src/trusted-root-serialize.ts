import { encodeBase64 } from './base64.js';
import { hashAlgorithmName, keyDetailsName } from './enums.js';
import type { CertificateAuthority, TransparencyLogInstance, TrustedRoot } from './types.js';
import { parseTrustedRoot } from './trusted-root-parse.js';
import { validityToJSON } from './validity.js';

type Json = Record<string, unknown>;

/**
 * trusted_root.json text for `root`: fields in protobuf-specs order, unset optional fields
 * left out (as protojson does), two-space indent, final newline. The same root always gives
 * the same bytes. The output is parsed again before it is returned, so a root this library
 * writes is one it reads (a TrustError otherwise).
 */
export function serializeTrustedRoot(root: TrustedRoot): string {
  const json: Json = {
    mediaType: root.mediaType,
    tlogs: root.tlogs.map((t, i) => logToJSON(t, `tlogs[${i}]`)),
    certificateAuthorities: root.certificateAuthorities.map((c, i) => authorityToJSON(c, `certificateAuthorities[${i}]`)),
    ctlogs: root.ctlogs.map((t, i) => logToJSON(t, `ctlogs[${i}]`)),
    timestampAuthorities: root.timestampAuthorities.map((c, i) => authorityToJSON(c, `timestampAuthorities[${i}]`)),
  };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  parseTrustedRoot(text);
  return text;
}

function logToJSON(log: TransparencyLogInstance, path: string): Json {
  return {
    baseUrl: log.baseUrl,
    hashAlgorithm: hashAlgorithmName(log.hashAlgorithm, `${path}.hashAlgorithm`),
    publicKey: {
      rawBytes: encodeBase64(log.publicKey.rawBytes),
      keyDetails: keyDetailsName(log.publicKey.keyDetails, `${path}.publicKey.keyDetails`),
      validFor: validityToJSON(log.publicKey.validFor, `${path}.publicKey.validFor`),
    },
    logId: { keyId: encodeBase64(log.logId.keyId) },
    ...(log.checkpointKeyId ? { checkpointKeyId: { keyId: encodeBase64(log.checkpointKeyId.keyId) } } : {}),
    ...(log.operator ? { operator: log.operator } : {}),
  };
}

function authorityToJSON(ca: CertificateAuthority, path: string): Json {
  const subject: Json = {};
  if (ca.subject.organization) subject['organization'] = ca.subject.organization;
  if (ca.subject.commonName) subject['commonName'] = ca.subject.commonName;
  return {
    subject,
    ...(ca.uri ? { uri: ca.uri } : {}),
    certChain: { certificates: ca.certChain.certificates.map((c) => ({ rawBytes: encodeBase64(c.rawBytes) })) },
    validFor: validityToJSON(ca.validFor, `${path}.validFor`),
    ...(ca.operator ? { operator: ca.operator } : {}),
  };
}
