import { unwrapOctetString, wrapOctetString } from './certificate.js';
import { OID } from './oids.js';
import { decodeSctList, encodeSctList } from './sct.js';
import type { SignedCertificateTimestamp } from './sct.js';
import type { ExtensionInput } from './sigstore-extensions.js';

/**
 * RFC 6962 3.3: the embedded SCT list extension, an OCTET STRING (inside extnValue)
 * wrapping the TLS-encoded SignedCertificateTimestampList. Not critical.
 */
export function encodeSctListExtension(scts: readonly SignedCertificateTimestamp[]): ExtensionInput {
  return { oid: OID.sctList, critical: false, value: wrapOctetString(encodeSctList(scts)) };
}

/** Decodes the extension's extnValue contents into SCTs. */
export function decodeSctListExtension(value: Uint8Array): SignedCertificateTimestamp[] {
  return decodeSctList(unwrapOctetString(value));
}
