import { HashAlgorithm, PublicKeyDetails } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { expectTrustError } from '../test/expect-trust-error.js';
import { bundleVerifyDir, casesWithTrustedRoot, publicTargetsDir, readText } from '../test/testdata.js';
import { TRUSTED_ROOT_MEDIA_TYPE_V02 } from './media-types.js';
import { parseTrustedRoot } from './trusted-root-parse.js';
import { serializeTrustedRoot } from './trusted-root-serialize.js';
import type { TrustedRoot } from './types.js';

const publicText = readText(publicTargetsDir, 'trusted_root.json');

describe('serializeTrustedRoot', () => {
  it('writes the public root back byte for byte', () => {
    // The public file is protojson output with two-space indent: the same conventions.
    expect(serializeTrustedRoot(parseTrustedRoot(publicText))).toBe(publicText.endsWith('\n') ? publicText : `${publicText}\n`);
  });

  it.each(casesWithTrustedRoot().filter((c) => !c.endsWith('missing-validity-start_fail')))(
    'round-trips %s stably',
    (name) => {
      const root = parseTrustedRoot(readText(bundleVerifyDir, name, 'trusted_root.json'));
      const text = serializeTrustedRoot(root);
      expect(parseTrustedRoot(text)).toEqual(root);
      expect(serializeTrustedRoot(parseTrustedRoot(text))).toBe(text);
    },
  );

  it('writes optional fields only when set', () => {
    const root = parseTrustedRoot(publicText);
    const [log] = root.tlogs;
    if (log === undefined) throw new Error('no tlog');
    log.checkpointKeyId = { keyId: Buffer.from([1, 2, 3, 4]) };
    log.operator = 'sigstore.dev';
    log.publicKey.validFor.end = new Date('2030-01-01T00:00:00.5Z');
    const json = JSON.parse(serializeTrustedRoot(root)) as { tlogs: Record<string, unknown>[] };
    expect(json.tlogs[0]).toMatchObject({
      checkpointKeyId: { keyId: 'AQIDBA==' },
      operator: 'sigstore.dev',
      publicKey: { validFor: { start: '2021-01-12T11:53:27Z', end: '2030-01-01T00:00:00.500Z' } },
    });
    expect(Object.keys(json.tlogs[0] ?? {})).toEqual(['baseUrl', 'hashAlgorithm', 'publicKey', 'logId', 'checkpointKeyId', 'operator']);
    expect(json.tlogs[1]).not.toHaveProperty('operator');
  });

  it('writes a root built in code, as the TUF scaffolding will', () => {
    const root: TrustedRoot = {
      mediaType: TRUSTED_ROOT_MEDIA_TYPE_V02,
      tlogs: [
        {
          baseUrl: 'https://rekor.example.internal',
          hashAlgorithm: HashAlgorithm.SHA2_256,
          publicKey: {
            rawBytes: Buffer.from('302a300506032b6570032100' + '11'.repeat(32), 'hex'),
            keyDetails: PublicKeyDetails.PKIX_ED25519,
            validFor: { start: new Date('2026-01-01T00:00:00Z') },
          },
          logId: { keyId: Buffer.alloc(32, 7) },
          checkpointKeyId: { keyId: Buffer.alloc(32, 7) },
          operator: 'example.internal',
        },
      ],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    };
    const text = serializeTrustedRoot(root);
    expect(parseTrustedRoot(text)).toEqual(root);
    expect(text).toContain('"mediaType": "application/vnd.dev.sigstore.trustedroot.v0.2+json"');
    expect(text).toContain('"checkpointKeyId": {');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('refuses to write what it would not read', () => {
    const broken = (change: (root: ReturnType<typeof parseTrustedRoot>) => void) => {
      const root = parseTrustedRoot(publicText);
      change(root);
      return () => serializeTrustedRoot(root);
    };
    expectTrustError(
      broken((r) => ((r.tlogs[0] as (typeof r.tlogs)[0]).publicKey.keyDetails = PublicKeyDetails.PUBLIC_KEY_DETAILS_UNSPECIFIED)),
      'INVALID_FIELD',
      'tlogs[0].publicKey.keyDetails',
    );
    expectTrustError(
      broken((r) => ((r.tlogs[0] as (typeof r.tlogs)[0]).publicKey.validFor.start = new Date(Number.NaN))),
      'INVALID_FIELD',
      'tlogs[0].publicKey.validFor.start',
    );
    expectTrustError(
      broken((r) => ((r.tlogs[0] as (typeof r.tlogs)[0]).publicKey.validFor.end = new Date('2000-01-01T00:00:00Z'))),
      'INVALID_VALIDITY',
      'tlogs[0].publicKey.validFor',
    );
    expectTrustError(broken((r) => (r.mediaType = 'text/plain')), 'UNSUPPORTED_MEDIA_TYPE');
    expectTrustError(broken((r) => (r.certificateAuthorities[0]?.certChain.certificates.splice(0))), 'MISSING_FIELD');
  });
});
