/** Object identifiers this library reads or writes. */
export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  /** RFC 6962 3.3: the SCT list embedded in a final certificate. */
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  /** RFC 6962 3.1: the critical, NULL-valued precertificate poison. */
  precertPoison: '1.3.6.1.4.1.11129.2.4.3',
  /** RFC 6962 3.1: EKU of a precertificate signing certificate. */
  precertSigning: '1.3.6.1.4.1.11129.2.4.4',
  /** Fulcio's OtherName SAN type for usernames. */
  sigstoreUsername: '1.3.6.1.4.1.57264.1.7',
} as const;

/** Extensions a chain verifier may see marked critical and still process. */
export const UNDERSTOOD_CRITICAL: ReadonlySet<string> = new Set([
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.extKeyUsage,
  OID.precertPoison,
]);
