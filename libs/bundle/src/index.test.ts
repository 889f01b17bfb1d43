import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BUNDLE_V01_MEDIA_TYPE',
      'BUNDLE_V02_MEDIA_TYPE',
      'BUNDLE_V03_LEGACY_MEDIA_TYPE',
      'BUNDLE_V03_MEDIA_TYPE',
      'BundleError',
      'IN_TOTO_PAYLOAD_TYPE',
      'IN_TOTO_STATEMENT_V01_TYPE',
      'IN_TOTO_STATEMENT_V1_TYPE',
      'buildDsseV001',
      'buildDsseV001Request',
      'buildDsseV002',
      'buildHashedRekordV001',
      'buildHashedRekordV002',
      'buildIntotoV002',
      'bundleFromJSON',
      'bundleToJSON',
      'bundleVersion',
      'checkTlogEntryBodies',
      'checkTlogEntryBody',
      'envelopeFromJSON',
      'envelopeToJSON',
      'findSubjectByDigest',
      'findSubjectsByDigest',
      'parseBundle',
      'parseEntryBody',
      'parseEnvelope',
      'parseRekorV1Request',
      'parseRekorV2Request',
      'parseStatement',
      'preAuthEncoding',
      'rekorV2RequestToJSON',
      'serializeBundle',
      'serializeEnvelope',
      'statementFromJSON',
      'statementToJSON',
    ]);
  });
});
