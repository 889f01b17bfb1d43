import { ServiceSelector } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { expectTrustError } from '../test/expect-trust-error.js';
import { publicTargetsDir, readText } from '../test/testdata.js';
import { SIGNING_CONFIG_MEDIA_TYPE_V02 } from './media-types.js';
import { parseSigningConfig } from './signing-config-parse.js';
import { serializeSigningConfig } from './signing-config-serialize.js';

type Json = Record<string, unknown>;
const v02Text = readText(publicTargetsDir, 'signing_config.v0.2.json');
const rekorV2Text = readText(publicTargetsDir, 'signing_config_rekor_v2.v0.2.json');
const mutate = (change: (config: Json) => void): Json => {
  const config = JSON.parse(rekorV2Text) as Json;
  change(config);
  return config;
};
const firstRekor = (c: Json): Json => (c['rekorTlogUrls'] as Json[])[0] as Json;

describe('parseSigningConfig on the public files', () => {
  it('parses signing_config.v0.2.json', () => {
    const config = parseSigningConfig(v02Text);
    expect(config.mediaType).toBe(SIGNING_CONFIG_MEDIA_TYPE_V02);
    expect(config.caUrls).toEqual([
      {
        url: 'https://fulcio.sigstore.dev',
        majorApiVersion: 1,
        validFor: { start: new Date('2022-04-13T20:06:15Z') },
        operator: 'sigstore.dev',
      },
    ]);
    expect(config.rekorTlogConfig).toEqual({ selector: ServiceSelector.ANY, count: 0 });
    expect(config.tsaUrls[0]?.url).toBe('https://timestamp.sigstore.dev/api/v1/timestamp');
  });

  it('parses signing_config_rekor_v2.v0.2.json', () => {
    const config = parseSigningConfig(rekorV2Text);
    expect(config.rekorTlogUrls.map((s) => [s.url, s.majorApiVersion])).toEqual([
      ['https://log2025-1.rekor.sigstore.dev', 2],
      ['https://rekor.sigstore.dev', 1],
    ]);
  });

  it('rejects the v0.1 signing_config.json as an unsupported media type', () => {
    expectTrustError(
      () => parseSigningConfig(readText(publicTargetsDir, 'signing_config.json')),
      'UNSUPPORTED_MEDIA_TYPE',
      'mediaType',
    );
  });

  it('writes both files back stably (timestamps in protojson form)', () => {
    for (const text of [v02Text, rekorV2Text]) {
      const config = parseSigningConfig(text);
      const written = serializeSigningConfig(config);
      expect(parseSigningConfig(written)).toEqual(config);
      expect(serializeSigningConfig(parseSigningConfig(written))).toBe(written);
      // Same fields in the same order; only ".000Z" becomes "Z".
      expect(written).toBe(text.replace(/\.000Z/g, 'Z').replace(/\n?$/, '\n'));
    }
  });
});

describe('parseSigningConfig rejects', () => {
  it('unknown fields, missing ones and wrong types, naming the path', () => {
    expectTrustError(() => parseSigningConfig(mutate((c) => (c['tlogUrls'] = []))), 'UNKNOWN_FIELD', 'tlogUrls');
    expectTrustError(
      () => parseSigningConfig(mutate((c) => (firstRekor(c)['weight'] = 1))),
      'UNKNOWN_FIELD',
      'rekorTlogUrls[0].weight',
    );
    expectTrustError(() => parseSigningConfig(mutate((c) => delete c['mediaType'])), 'MISSING_FIELD', 'mediaType');
    expectTrustError(() => parseSigningConfig(mutate((c) => delete firstRekor(c)['url'])), 'MISSING_FIELD', 'rekorTlogUrls[0].url');
    expectTrustError(
      () => parseSigningConfig(mutate((c) => delete firstRekor(c)['validFor'])),
      'MISSING_FIELD',
      'rekorTlogUrls[0].validFor',
    );
    expectTrustError(
      () => parseSigningConfig(mutate((c) => (firstRekor(c)['validFor'] = { end: '2030-01-01T00:00:00Z' }))),
      'MISSING_FIELD',
      'rekorTlogUrls[0].validFor.start',
    );
    expectTrustError(() => parseSigningConfig(mutate((c) => (c['caUrls'] = 'x'))), 'INVALID_FIELD', 'caUrls');
  });

  it('bad URLs and API versions', () => {
    for (const url of ['rekor.sigstore.dev', 'ftp://rekor.sigstore.dev', 'https://', 'file:///etc/passwd']) {
      expectTrustError(() => parseSigningConfig(mutate((c) => (firstRekor(c)['url'] = url))), 'INVALID_FIELD', 'rekorTlogUrls[0].url');
    }
    for (const version of [-1, 1.5, '2', 2 ** 32]) {
      expectTrustError(
        () => parseSigningConfig(mutate((c) => (firstRekor(c)['majorApiVersion'] = version))),
        'INVALID_FIELD',
        'rekorTlogUrls[0].majorApiVersion',
      );
    }
  });

  it('undefined or unknown selectors, and EXACT without a count', () => {
    for (const selector of ['SERVICE_SELECTOR_UNDEFINED', 'SOME', 2]) {
      expectTrustError(
        () => parseSigningConfig(mutate((c) => (c['tsaConfig'] = { selector }))),
        'INVALID_FIELD',
        'tsaConfig.selector',
      );
    }
    expectTrustError(
      () => parseSigningConfig(mutate((c) => (c['rekorTlogConfig'] = { selector: 'EXACT' }))),
      'INVALID_SELECTOR',
      'rekorTlogConfig.count',
    );
    expect(parseSigningConfig(mutate((c) => (c['rekorTlogConfig'] = { selector: 'EXACT', count: 2 }))).rekorTlogConfig).toEqual({
      selector: ServiceSelector.EXACT,
      count: 2,
    });
  });

  it('treats an absent API version as 0 and absent configs as unset', () => {
    const config = parseSigningConfig(
      mutate((c) => {
        delete firstRekor(c)['majorApiVersion'];
        delete c['tsaConfig'];
      }),
    );
    expect(config.rekorTlogUrls[0]?.majorApiVersion).toBe(0);
    expect(config.tsaConfig).toBeUndefined();
    expect(JSON.parse(serializeSigningConfig(config))).not.toHaveProperty('tsaConfig');
  });
});
