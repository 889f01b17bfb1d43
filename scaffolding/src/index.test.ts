import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual(EXPECTED);
  });
});

const EXPECTED = [
  'DEFAULT_EXPIRY',
  'FolderFetcher',
  'ScaffoldingError',
  'canonicalJson',
  'checkExpiryPolicy',
  'expiringRoles',
  'fileSigner',
  'formatRefreshLine',
  'formatVerifyReport',
  'generateKeyFile',
  'hasRepository',
  'initRepository',
  'parseExpiryPolicy',
  'privateKeySigner',
  'proposalStatus',
  'proposeRoot',
  'publicKeyOfTufKey',
  'publishRoot',
  'readRepository',
  'readRootVersion',
  'refreshRepository',
  'signRootProposal',
  'tufKey',
  'updateTargets',
  'verifyRepository',
];
