// Media types this library reads. The trusted root has had three spellings; all name the
// same schema (fields added later, checkpointKeyId and operator, are read under any of
// them since real v0.1 files carry them as null).
export const TRUSTED_ROOT_MEDIA_TYPE_V01 = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
export const TRUSTED_ROOT_MEDIA_TYPE_V02 = 'application/vnd.dev.sigstore.trustedroot.v0.2+json';
const TRUSTED_ROOT_MEDIA_TYPE_V01_NEW = 'application/vnd.dev.sigstore.trustedroot.v0.1+json';

export const TRUSTED_ROOT_MEDIA_TYPES: readonly string[] = [
  TRUSTED_ROOT_MEDIA_TYPE_V01,
  TRUSTED_ROOT_MEDIA_TYPE_V01_NEW,
  TRUSTED_ROOT_MEDIA_TYPE_V02,
];

// Only v0.2 of the signing config is read. v0.1 (signing_config.json: caUrl, oidcUrl,
// tlogUrls as bare strings) has no validity windows, API versions or operators, so none
// of the selection rules can apply to it; sigstore-go rejects it the same way.
export const SIGNING_CONFIG_MEDIA_TYPE_V02 = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
