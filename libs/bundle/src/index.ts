// Public surface of @sigstack/bundle. Listed by name so that an accidental
// export is caught by index.test.ts.
export { BundleError } from './error.js';
export type { BundleErrorCode } from './error.js';
export {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
} from './media-type.js';
export type { BundleMediaType, BundleVersion } from './media-type.js';
export type {
  BundleContent,
  BundleMessageSignature,
  BundleVerificationMaterial,
  DsseEnvelope,
  DsseSignature,
  SigstoreBundle,
  TlogEntry,
  VerificationMaterialContent,
} from './types.js';
export { bundleFromJSON, bundleToJSON, bundleVersion, parseBundle, serializeBundle } from './bundle.js';
export { envelopeFromJSON, envelopeToJSON, parseEnvelope, preAuthEncoding, serializeEnvelope } from './dsse.js';
export {
  findSubjectByDigest,
  findSubjectsByDigest,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V01_TYPE,
  IN_TOTO_STATEMENT_V1_TYPE,
  parseStatement,
  statementFromJSON,
  statementToJSON,
} from './statement.js';
export type { InTotoStatement, StatementSubject } from './statement.js';
export { parseEntryBody } from './rekor/body.js';
export type { RekorEntryBody } from './rekor/body.js';
export type { RekorHashAlgorithm } from './rekor/common.js';
export { buildHashedRekordV001 } from './rekor/hashedrekord-v001.js';
export type { HashedRekordV001 } from './rekor/hashedrekord-v001.js';
export { buildDsseV001, buildDsseV001Request } from './rekor/dsse-v001.js';
export type { DsseV001, DsseV001Request, DsseV001Signature } from './rekor/dsse-v001.js';
export { buildIntotoV002 } from './rekor/intoto-v002.js';
export type { IntotoV002, IntotoV002Signature } from './rekor/intoto-v002.js';
export { buildDsseV002, buildHashedRekordV002, parseRekorV2Request, rekorV2RequestToJSON } from './rekor/v2.js';
export type { DsseV002, HashedRekordV002, RekorV2Request } from './rekor/v2.js';
export { parseRekorV1Request } from './rekor/request.js';
export type { RekorV1Request } from './rekor/request.js';
export { checkTlogEntryBodies, checkTlogEntryBody } from './rekor/check.js';
