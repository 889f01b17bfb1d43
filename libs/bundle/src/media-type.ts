import { BundleError } from './error.js';

export const BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
export const BUNDLE_V02_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
export const BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
/** The spelling protobuf-specs asks writers to use for v0.3. */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export type BundleMediaType =
  | typeof BUNDLE_V01_MEDIA_TYPE
  | typeof BUNDLE_V02_MEDIA_TYPE
  | typeof BUNDLE_V03_LEGACY_MEDIA_TYPE
  | typeof BUNDLE_V03_MEDIA_TYPE;

export type BundleVersion = '0.1' | '0.2' | '0.3';

const VERSIONS: Readonly<Record<string, BundleVersion>> = {
  [BUNDLE_V01_MEDIA_TYPE]: '0.1',
  [BUNDLE_V02_MEDIA_TYPE]: '0.2',
  [BUNDLE_V03_LEGACY_MEDIA_TYPE]: '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
};

/** Maps a media type to its bundle version; anything else is refused (no "newer means latest"). */
export function bundleVersionOf(mediaType: string, field = 'mediaType'): BundleVersion {
  const version = Object.hasOwn(VERSIONS, mediaType) ? VERSIONS[mediaType] : undefined;
  if (version === undefined) {
    throw new BundleError('UNSUPPORTED_MEDIA_TYPE', field, `unsupported bundle media type ${JSON.stringify(mediaType.slice(0, 100))}`);
  }
  return version;
}
