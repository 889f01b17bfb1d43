import type { ServiceConfiguration } from '@sigstore/protobuf-specs';
import { ServiceSelector } from '@sigstore/protobuf-specs';
import { parseSelector } from './enums.js';
import { TrustError } from './error.js';
import { ObjectReader, expectUint32, toJsonValue } from './json-reader.js';
import { SIGNING_CONFIG_MEDIA_TYPE_V02 } from './media-types.js';
import type { Service, SigningConfig } from './types.js';
import { parseValidity } from './validity.js';

/**
 * Parses signing_config.v0.2.json strictly. Other media types, v0.1 included, are
 * UNSUPPORTED_MEDIA_TYPE (see media-types.ts for why). `input` is JSON text (string or
 * UTF-8 bytes) or an already parsed JSON value.
 */
export function parseSigningConfig(input: unknown): SigningConfig {
  const value = toJsonValue(input);
  // The media type decides the schema, so it is checked before the field names are.
  const mediaType =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)['mediaType']
      : undefined;
  if (typeof mediaType === 'string' && mediaType !== SIGNING_CONFIG_MEDIA_TYPE_V02) {
    throw new TrustError('UNSUPPORTED_MEDIA_TYPE', `unsupported signing config media type ${JSON.stringify(mediaType)}`, {
      field: 'mediaType',
    });
  }
  const r = new ObjectReader(value, '', [
    'mediaType',
    'caUrls',
    'oidcUrls',
    'rekorTlogUrls',
    'rekorTlogConfig',
    'tsaUrls',
    'tsaConfig',
  ]);
  r.requiredString('mediaType');
  const rekorTlogConfig = r.optional('rekorTlogConfig');
  const tsaConfig = r.optional('tsaConfig');
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE_V02,
    caUrls: r.array('caUrls', parseService),
    oidcUrls: r.array('oidcUrls', parseService),
    rekorTlogUrls: r.array('rekorTlogUrls', parseService),
    rekorTlogConfig: rekorTlogConfig === undefined ? undefined : parseConfig(rekorTlogConfig, r.fieldPath('rekorTlogConfig')),
    tsaUrls: r.array('tsaUrls', parseService),
    tsaConfig: tsaConfig === undefined ? undefined : parseConfig(tsaConfig, r.fieldPath('tsaConfig')),
  };
}

function parseService(value: unknown, path: string): Service {
  const r = new ObjectReader(value, path, ['url', 'majorApiVersion', 'validFor', 'operator']);
  const version = r.optional('majorApiVersion');
  return {
    url: parseServiceUrl(r.requiredString('url'), r.fieldPath('url')),
    // protobuf's default: 0 means "not yet released", which no caller lists as supported.
    majorApiVersion: version === undefined ? 0 : expectUint32(version, r.fieldPath('majorApiVersion')),
    validFor: parseValidity(r.required('validFor'), r.fieldPath('validFor')),
    operator: r.optionalString('operator') ?? '',
  };
}

// protobuf-specs: "MUST include scheme and authority. MAY include path." http is allowed
// for private deployments on loopback.
function parseServiceUrl(text: string, path: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.host === '') {
    throw new TrustError('INVALID_FIELD', 'service url must be an absolute http(s) URL', { field: path });
  }
  return text;
}

function parseConfig(value: unknown, path: string): ServiceConfiguration {
  const r = new ObjectReader(value, path, ['selector', 'count']);
  const selector = parseSelector(r.required('selector'), r.fieldPath('selector'));
  const countValue = r.optional('count');
  const count = countValue === undefined ? 0 : expectUint32(countValue, r.fieldPath('count'));
  if (selector === ServiceSelector.EXACT && count === 0) {
    throw new TrustError('INVALID_SELECTOR', 'EXACT needs a count greater than 0', { field: r.fieldPath('count') });
  }
  return { selector, count };
}
