// The public surface of @sigstack/x509, listed by name; index.test.ts pins it.

export { X509Error } from './errors.js';
export type { X509ErrorCode } from './errors.js';

export { parseCertificate, parseCertificates } from './certificate.js';
export type {
  BasicConstraintsValue,
  KeyUsageName,
  OtherNameSan,
  ParsedCertificate,
  SubjectAltNames,
} from './certificate.js';
export type { DistinguishedName, NameAttribute } from './names.js';
export { splitCertificate } from './parts.js';
export { checkStrictDer } from './der.js';
export type { CertificateParts, RawExtension } from './parts.js';
export { OID } from './oids.js';
export { signatureScheme } from './algorithms.js';
export type { SignatureAlgorithmName, SignatureScheme } from './algorithms.js';
export { verifyCertificateSignature, verifyCertificateSignatureAsync } from './signature.js';
export type { SignedCertificate } from './signature.js';

export { SIGSTORE_EXTENSION_OIDS, decodeSigstoreExtensions, encodeSigstoreExtensions } from './sigstore-extensions.js';
export { encodeSubjectAltName } from './san.js';
export type { SubjectAltNameInput } from './san.js';
export type { ExtensionInput, SigstoreExtensionName, SigstoreExtensionValues, SigstoreExtensions } from './sigstore-extensions.js';

export { orderChain, verifyChain, verifyIssuerChain } from './chain.js';
export type { VerifyChainOptions } from './chain.js';

export {
  decodeDigitallySigned,
  decodeSct,
  decodeSctList,
  encodeDigitallySigned,
  encodeSct,
  encodeSctList,
} from './sct.js';
export type { DigitallySigned, SignedCertificateTimestamp } from './sct.js';
export { decodeSctListExtension, encodeSctListExtension } from './sct-extension.js';
export {
  decodeMerkleTreeLeaf,
  embeddedSctEntry,
  encodeMerkleTreeLeaf,
  issuerKeyHash,
  precertTbs,
  sctSignedData,
  signDigitallySigned,
  signSct,
  tbsWithoutSctList,
  treeHeadSignedData,
  verifyDigitallySigned,
  verifySct,
} from './ct.js';
export type { CtEntry, MerkleTreeLeaf } from './ct.js';
