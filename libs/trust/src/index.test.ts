import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'SIGNING_CONFIG_MEDIA_TYPE_V02',
      'TRUSTED_ROOT_MEDIA_TYPE_V01',
      'TRUSTED_ROOT_MEDIA_TYPE_V02',
      'TrustError',
      'certificateAuthoritiesAt',
      'ctlogKeyById',
      'isWithin',
      'parseSigningConfig',
      'parseTrustedRoot',
      'selectService',
      'selectServices',
      'serializeSigningConfig',
      'serializeTrustedRoot',
      'timestampAuthoritiesAt',
      'tlogKeyById',
      'tlogKeysByCheckpointHint',
    ]);
  });
});

describe('error codes', () => {
  it('every TrustErrorCode is documented in the README', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const source = readFileSync(path.join(here, 'error.ts'), 'utf8');
    const union = source.slice(source.indexOf('export type TrustErrorCode'), source.indexOf(';', source.indexOf('export type TrustErrorCode')));
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    const readme = readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    for (const code of codes) expect(readme).toContain(`\`${code}\``);
  });
});
