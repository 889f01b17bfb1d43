import type { ServiceConfiguration } from '@sigstore/protobuf-specs';
import { selectorName } from './enums.js';
import { parseSigningConfig } from './signing-config-parse.js';
import type { Service, SigningConfig } from './types.js';
import { validityToJSON } from './validity.js';

type Json = Record<string, unknown>;

/**
 * signing_config.v0.2.json text for `config`: fields in the public file's order, unset
 * optional fields left out, two-space indent, final newline; deterministic. The output is
 * parsed again before it is returned, so only a config this library reads is written.
 */
export function serializeSigningConfig(config: SigningConfig): string {
  const services = (list: Service[], key: string): Json[] => list.map((s, i) => serviceToJSON(s, `${key}[${i}]`));
  const json: Json = {
    mediaType: config.mediaType,
    caUrls: services(config.caUrls, 'caUrls'),
    oidcUrls: services(config.oidcUrls, 'oidcUrls'),
    rekorTlogUrls: services(config.rekorTlogUrls, 'rekorTlogUrls'),
    tsaUrls: services(config.tsaUrls, 'tsaUrls'),
    ...(config.rekorTlogConfig ? { rekorTlogConfig: configToJSON(config.rekorTlogConfig, 'rekorTlogConfig') } : {}),
    ...(config.tsaConfig ? { tsaConfig: configToJSON(config.tsaConfig, 'tsaConfig') } : {}),
  };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  parseSigningConfig(text);
  return text;
}

function serviceToJSON(service: Service, path: string): Json {
  return {
    url: service.url,
    ...(service.majorApiVersion ? { majorApiVersion: service.majorApiVersion } : {}),
    validFor: validityToJSON(service.validFor, `${path}.validFor`),
    ...(service.operator ? { operator: service.operator } : {}),
  };
}

function configToJSON(config: ServiceConfiguration, path: string): Json {
  return {
    selector: selectorName(config.selector, `${path}.selector`),
    ...(config.count ? { count: config.count } : {}),
  };
}
