// @sigstack/trust: trusted_root.json and signing_config.v0.2.json, parsed strictly, written
// stably, and the lookups a verifier and a signer make in them. No I/O: callers read files.
export { TrustError } from './error.js';
export type { TrustErrorCode, TrustErrorOptions } from './error.js';
export { SIGNING_CONFIG_MEDIA_TYPE_V02, TRUSTED_ROOT_MEDIA_TYPE_V01, TRUSTED_ROOT_MEDIA_TYPE_V02 } from './media-types.js';
export type {
  CertificateAuthority,
  PublicKey,
  Service,
  ServiceConfiguration,
  SigningConfig,
  TransparencyLogInstance,
  TrustedRoot,
  ValidityWindow,
} from './types.js';
export { isWithin } from './validity.js';
export { parseTrustedRoot } from './trusted-root-parse.js';
export { serializeTrustedRoot } from './trusted-root-serialize.js';
export {
  certificateAuthoritiesAt,
  ctlogKeyById,
  timestampAuthoritiesAt,
  tlogKeyById,
  tlogKeysByCheckpointHint,
} from './trusted-root-lookup.js';
export type { CertificateAuthorityInfo, CheckpointKeyQuery, TransparencyLogKey } from './trusted-root-lookup.js';
export { parseSigningConfig } from './signing-config-parse.js';
export { serializeSigningConfig } from './signing-config-serialize.js';
export { selectService, selectServices } from './service-selection.js';
export type { ServiceQuery, ServicesQuery } from './service-selection.js';
