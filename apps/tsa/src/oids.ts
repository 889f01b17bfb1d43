import type { HashAlgorithm } from '@sigstack/crypto';

/** The object identifiers the TSA reads and writes, in one place. */
export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha1: '1.3.14.3.2.26',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  /** sigstore/timestamp-authority's default TSA policy. */
  sigstorePolicy: '1.3.6.1.4.1.57264.2',
} as const;

/** The hashes a request may name, by OID (RFC 5754). */
export const HASH_BY_OID: Readonly<Record<string, HashAlgorithm>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export const OID_BY_HASH: Readonly<Record<HashAlgorithm, string>> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

export const DIGEST_LENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

// Dotted decimal, first arc 0-2, no leading zeros; bounded so a hostile value stays cheap.
const OID_FORMAT = /^[0-2](\.(0|[1-9]\d{0,14})){1,127}$/;

/** Whether `text` is a dotted-decimal OID this TSA is willing to handle. */
export function isOid(text: string): boolean {
  return text.length <= 512 && OID_FORMAT.test(text);
}
