import { ServiceSelector } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { expectTrustError } from '../test/expect-trust-error.js';
import { publicTargetsDir, readText } from '../test/testdata.js';
import { selectService, selectServices } from './service-selection.js';
import { parseSigningConfig } from './signing-config-parse.js';
import type { Service } from './types.js';

const rekorV2 = parseSigningConfig(readText(publicTargetsDir, 'signing_config_rekor_v2.v0.2.json'));
const publicV02 = parseSigningConfig(readText(publicTargetsDir, 'signing_config.v0.2.json'));
const at = (iso: string): Date => new Date(iso);
const urls = (services: Service[]): string[] => services.map((s) => s.url);

const service = (url: string, operator: string, version: number, start: string, end?: string): Service => ({
  url,
  operator,
  majorApiVersion: version,
  validFor: end === undefined ? { start: at(start) } : { start: at(start), end: at(end) },
});

describe('selectServices on the public Rekor v2 signing config', () => {
  const time = at('2026-08-22T00:00:00Z');

  it('a Rekor v1+v2 client gets the v2 log; a v1-only client the v1 log', () => {
    const query = { time, apiVersions: [1, 2] };
    expect(urls(selectServices(rekorV2.rekorTlogUrls, rekorV2.rekorTlogConfig, query))).toEqual([
      'https://log2025-1.rekor.sigstore.dev',
    ]);
    expect(urls(selectServices(rekorV2.rekorTlogUrls, rekorV2.rekorTlogConfig, { time, apiVersions: [1] }))).toEqual([
      'https://rekor.sigstore.dev',
    ]);
  });

  it('before the v2 log starts, even a v2 client falls back to v1', () => {
    const query = { time: at('2025-12-31T23:59:59.999Z'), apiVersions: [2, 1] };
    expect(urls(selectServices(rekorV2.rekorTlogUrls, rekorV2.rekorTlogConfig, query))).toEqual(['https://rekor.sigstore.dev']);
    expect(urls(selectServices(rekorV2.rekorTlogUrls, rekorV2.rekorTlogConfig, { ...query, time: at('2026-01-01T00:00:00Z') }))).toEqual([
      'https://log2025-1.rekor.sigstore.dev',
    ]);
  });

  it('one CA, one OIDC provider, one TSA', () => {
    expect(selectService(publicV02.caUrls, { time, apiVersions: [1] }).url).toBe('https://fulcio.sigstore.dev');
    expect(selectService(publicV02.oidcUrls, { time, apiVersions: [1] }).url).toBe('https://oauth2.sigstore.dev/auth');
    expect(urls(selectServices(publicV02.tsaUrls, publicV02.tsaConfig, { time, apiVersions: [1] }))).toEqual([
      'https://timestamp.sigstore.dev/api/v1/timestamp',
    ]);
  });

  it('nothing valid yet, or no supported version', () => {
    expectTrustError(() => selectService(publicV02.tsaUrls, { time: at('2025-07-03T23:59:59Z'), apiVersions: [1] }), 'NO_MATCHING_SERVICE');
    expectTrustError(() => selectService(publicV02.caUrls, { time, apiVersions: [2] }), 'NO_MATCHING_SERVICE');
    expectTrustError(() => selectService(publicV02.caUrls, { time, apiVersions: [] }), 'INVALID_ARGUMENT');
    expectTrustError(() => selectService(publicV02.caUrls, { time: new Date(Number.NaN), apiVersions: [1] }), 'INVALID_ARGUMENT');
  });
});

describe('selectServices rules', () => {
  const time = at('2026-01-01T00:00:00Z');
  const services = [
    service('https://a-old.example', 'a.example', 1, '2020-01-01T00:00:00Z'),
    service('https://a-new.example', 'a.example', 1, '2024-01-01T00:00:00Z'),
    service('https://b.example', 'b.example', 1, '2021-01-01T00:00:00Z'),
    service('https://c-ended.example', 'c.example', 1, '2021-01-01T00:00:00Z', '2025-12-31T23:59:59Z'),
    service('https://c-v2.example', 'c.example', 2, '2021-01-01T00:00:00Z'),
    service('https://d-future.example', 'd.example', 1, '2027-01-01T00:00:00Z'),
  ];
  const query = { time, apiVersions: [1] };

  it('ALL: one service per operator, the newest, only valid ones, one API version', () => {
    const all = selectServices(services, { selector: ServiceSelector.ALL, count: 0 }, query);
    expect(urls(all)).toEqual(['https://a-new.example', 'https://b.example']);
    // With v2 supported, only the v2 service remains: versions are never mixed.
    expect(urls(selectServices(services, { selector: ServiceSelector.ALL, count: 0 }, { time, apiVersions: [1, 2] }))).toEqual([
      'https://c-v2.example',
    ]);
  });

  it('an end is inclusive for services too', () => {
    const atEnd = { time: at('2025-12-31T23:59:59Z'), apiVersions: [1] };
    expect(urls(selectServices(services, { selector: ServiceSelector.ALL, count: 0 }, atEnd))).toContain('https://c-ended.example');
  });

  it('ANY: one, the newest unless randomness is given', () => {
    expect(urls(selectServices(services, { selector: ServiceSelector.ANY, count: 0 }, query))).toEqual(['https://a-new.example']);
    expect(urls(selectServices(services, { selector: ServiceSelector.ANY, count: 0 }, { ...query, random: () => 0.99 }))).toEqual([
      'https://b.example',
    ]);
  });

  it('EXACT: count services from distinct operators, or NOT_ENOUGH_SERVICES', () => {
    const two = selectServices(services, { selector: ServiceSelector.EXACT, count: 2 }, { ...query, random: () => 0.7 });
    expect(urls(two).sort()).toEqual(['https://a-new.example', 'https://b.example']);
    expectTrustError(() => selectServices(services, { selector: ServiceSelector.EXACT, count: 3 }, query), 'NOT_ENOUGH_SERVICES');
    expectTrustError(() => selectServices(services, { selector: ServiceSelector.EXACT, count: 0 }, query), 'INVALID_SELECTOR');
  });

  it('no configuration or an undefined selector is refused', () => {
    expectTrustError(() => selectServices(services, undefined, query), 'INVALID_SELECTOR');
    expectTrustError(
      () => selectServices(services, { selector: ServiceSelector.SERVICE_SELECTOR_UNDEFINED, count: 0 }, query),
      'INVALID_SELECTOR',
    );
  });
});
