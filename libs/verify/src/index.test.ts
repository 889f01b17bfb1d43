import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'VerificationError',
      'checkIdentity',
      'parseRfc3161Timestamp',
      'signerIdentity',
      'verifyBundle',
      'verifyRfc3161Timestamp',
    ]);
  });
});

describe('error codes', () => {
  it('every VerificationErrorCode is documented in the README', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const source = readFileSync(path.join(here, 'error.ts'), 'utf8');
    const start = source.indexOf('export type VerificationErrorCode');
    const union = source.slice(start, source.indexOf(';', start));
    const codes = [...union.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(20);
    const readme = readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    for (const code of codes) expect(readme).toContain(`\`${code}\``);
  });
});
