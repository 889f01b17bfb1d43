import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceRoot } from '@sigstack/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_EXPIRY',
      'FolderFetcher',
      'SIGNING_CONFIG_TARGET',
      'ScaffoldingError',
      'TRUSTED_ROOT_TARGET',
      'canonicalJson',
      'checkExpiryPolicy',
      'expiringRoles',
      'fileSigner',
      'formatRefreshLine',
      'formatVerifyReport',
      'gatherTrustMaterial',
      'generateKeyFile',
      'hasRepository',
      'initRepository',
      'mergeSigningConfig',
      'mergeTrustedRoot',
      'noteKeyId',
      'parseExpiryPolicy',
      'parseTrustFiles',
      'privateKeySigner',
      'proposalStatus',
      'proposeRoot',
      'publicKeyOfTufKey',
      'publishRoot',
      'publishTrustMaterial',
      'publishedTrustMaterial',
      'readRepository',
      'readRootVersion',
      'refreshRepository',
      'rotationWindows',
      'runCli',
      'serveRepository',
      'signRootProposal',
      'trustTargetFiles',
      'tufKey',
      'updateTargets',
      'verifyRepository',
    ]);
  });
});

describe('error codes', () => {
  it('every ScaffoldingErrorCode is documented in docs/trust-root.md', () => {
    const source = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'error.ts'), 'utf8');
    const union = source.slice(source.indexOf('export type ScaffoldingErrorCode'), source.indexOf(';', source.indexOf('export type ScaffoldingErrorCode')));
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    const doc = readFileSync(path.join(workspaceRoot(), 'docs', 'trust-root.md'), 'utf8');
    for (const code of codes) expect(doc).toContain(`\`${code}\``);
  });
});
