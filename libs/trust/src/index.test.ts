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
