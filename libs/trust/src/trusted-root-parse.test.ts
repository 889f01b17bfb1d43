import { HashAlgorithm, PublicKeyDetails, TrustedRoot as PbTrustedRoot } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { expectTrustError } from '../test/expect-trust-error.js';
import { bundleVerifyDir, casesWithTrustedRoot, publicTargetsDir, readText } from '../test/testdata.js';
import { TRUSTED_ROOT_MEDIA_TYPE_V01, TRUSTED_ROOT_MEDIA_TYPE_V02 } from './media-types.js';
import { parseTrustedRoot } from './trusted-root-parse.js';

type Json = Record<string, unknown>;
const publicRootText = readText(publicTargetsDir, 'trusted_root.json');
const publicRootJson = (): Json => JSON.parse(publicRootText) as Json;
const firstTlog = (root: Json): Json => (root['tlogs'] as Json[])[0] as Json;
const firstKey = (root: Json): Json => firstTlog(root)['publicKey'] as Json;

describe('parseTrustedRoot on real data', () => {
  it('parses the public-good trusted root', () => {
    const root = parseTrustedRoot(publicRootText);
    expect(root.mediaType).toBe(TRUSTED_ROOT_MEDIA_TYPE_V01);
    expect(root.tlogs.map((t) => t.baseUrl)).toEqual(['https://rekor.sigstore.dev', 'https://log2025-1.rekor.sigstore.dev']);
    const [v1, v2] = root.tlogs;
    expect(v1?.publicKey.keyDetails).toBe(PublicKeyDetails.PKIX_ECDSA_P256_SHA_256);
    expect(v2?.publicKey.keyDetails).toBe(PublicKeyDetails.PKIX_ED25519);
    expect(v1?.hashAlgorithm).toBe(HashAlgorithm.SHA2_256);
    expect(v1?.publicKey.validFor.start.toISOString()).toBe('2021-01-12T11:53:27.000Z');
    expect(v1?.publicKey.validFor.end).toBeUndefined();
    expect(root.certificateAuthorities[0]?.validFor.end?.toISOString()).toBe('2022-12-31T23:59:59.999Z');
    expect(root.certificateAuthorities[1]?.certChain.certificates).toHaveLength(2);
    expect(root.ctlogs.length).toBeGreaterThan(0);
    expect(root.timestampAuthorities.length).toBeGreaterThan(0);
  });

  it('accepts bytes and an already parsed value as well as text', () => {
    const fromText = parseTrustedRoot(publicRootText);
    expect(parseTrustedRoot(Buffer.from(publicRootText))).toEqual(fromText);
    expect(parseTrustedRoot(publicRootJson())).toEqual(fromText);
  });

  it('agrees with protobuf-specs fromJSON on the public root', () => {
    // fromJSON is lenient, so on valid input it is a fair oracle for the field mapping.
    expect(parseTrustedRoot(publicRootText)).toEqual(PbTrustedRoot.fromJSON(publicRootJson()));
  });

  const cases = casesWithTrustedRoot();
  it('finds the conformance trusted roots', () => {
    expect(cases).toContain('trust-root-tlog-missing-validity-start_fail');
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.filter((c) => c !== 'trust-root-tlog-missing-validity-start_fail'))('parses %s', (name) => {
    const root = parseTrustedRoot(readText(bundleVerifyDir, name, 'trusted_root.json'));
    expect(root.tlogs.length).toBeGreaterThan(0);
  });

  it('rejects the trust root whose tlog key window has no start', () => {
    const text = readText(bundleVerifyDir, 'trust-root-tlog-missing-validity-start_fail', 'trusted_root.json');
    expectTrustError(() => parseTrustedRoot(text), 'MISSING_FIELD', 'tlogs[1].publicKey.validFor.start');
  });

  it('reads protobuf JSON nulls as unset (conformance roots carry them)', () => {
    const root = parseTrustedRoot(readText(bundleVerifyDir, 'trust-root-tlog-validity-end-inclusive', 'trusted_root.json'));
    expect(root.tlogs[0]?.checkpointKeyId).toBeUndefined();
    expect(root.tlogs[0]?.operator).toBe('');
    expect(root.tlogs[1]?.publicKey.validFor.end).toBeUndefined();
    // Six fractional digits, as Python writes them.
    expect(root.ctlogs[0]?.publicKey.validFor.end?.toISOString()).toBe('2022-10-31T23:59:59.999Z');
  });
});

describe('parseTrustedRoot rejects', () => {
  const mutate = (change: (root: Json) => void): Json => {
    const root = publicRootJson();
    change(root);
    return root;
  };

  it('text that is not JSON, or bytes that are not UTF-8', () => {
    expectTrustError(() => parseTrustedRoot('{"mediaType":'), 'INVALID_JSON');
    expectTrustError(() => parseTrustedRoot(new Uint8Array([0x7b, 0xff, 0x7d])), 'INVALID_JSON');
  });

  it('a top level that is not an object', () => {
    expectTrustError(() => parseTrustedRoot('[]'), 'INVALID_FIELD', '$');
    expectTrustError(() => parseTrustedRoot(null), 'INVALID_FIELD', '$');
  });

  it('unknown fields, naming their path', () => {
    expectTrustError(() => parseTrustedRoot(mutate((r) => (r['publicKeys'] = []))), 'UNKNOWN_FIELD', 'publicKeys');
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstKey(r)['extra'] = 1))),
      'UNKNOWN_FIELD',
      'tlogs[0].publicKey.extra',
    );
    // protojson's snake_case aliases are not read: no producer writes them.
    expectTrustError(() => parseTrustedRoot(mutate((r) => (firstTlog(r)['base_url'] = 'x'))), 'UNKNOWN_FIELD', 'tlogs[0].base_url');
  });

  it('missing or unsupported media types', () => {
    expectTrustError(() => parseTrustedRoot(mutate((r) => delete r['mediaType'])), 'MISSING_FIELD', 'mediaType');
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (r['mediaType'] = 'application/vnd.dev.sigstore.trustedroot.v0.3+json'))),
      'UNSUPPORTED_MEDIA_TYPE',
      'mediaType',
    );
    expect(parseTrustedRoot(mutate((r) => (r['mediaType'] = TRUSTED_ROOT_MEDIA_TYPE_V02))).mediaType).toBe(
      TRUSTED_ROOT_MEDIA_TYPE_V02,
    );
  });

  it('unknown, unspecified or numeric enum values', () => {
    for (const bad of ['PKIX_ECDSA_P256_SHA_999', 'PUBLIC_KEY_DETAILS_UNSPECIFIED', 5, '5', 'toString']) {
      expectTrustError(
        () => parseTrustedRoot(mutate((r) => (firstKey(r)['keyDetails'] = bad))),
        'INVALID_FIELD',
        'tlogs[0].publicKey.keyDetails',
      );
    }
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstTlog(r)['hashAlgorithm'] = 'MD5'))),
      'INVALID_FIELD',
      'tlogs[0].hashAlgorithm',
    );
  });

  it('bad base64 and empty key bytes', () => {
    for (const bad of ['not base64!', 'QUJD=A==', 'Q', 'QUJDRA=']) {
      expectTrustError(
        () => parseTrustedRoot(mutate((r) => (firstKey(r)['rawBytes'] = bad))),
        'INVALID_FIELD',
        'tlogs[0].publicKey.rawBytes',
      );
    }
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstKey(r)['rawBytes'] = ''))),
      'MISSING_FIELD',
      'tlogs[0].publicKey.rawBytes',
    );
  });

  it('accepts URL-safe and unpadded base64, as protojson does', () => {
    const std = firstKey(publicRootJson())['rawBytes'] as string;
    const urlSafe = std.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const root = parseTrustedRoot(mutate((r) => (firstKey(r)['rawBytes'] = urlSafe)));
    expect(root.tlogs[0]?.publicKey.rawBytes.toString('base64')).toBe(std);
  });

  it('validity windows without a start, or with the start after the end', () => {
    expectTrustError(() => parseTrustedRoot(mutate((r) => delete firstKey(r)['validFor'])), 'MISSING_FIELD', 'tlogs[0].publicKey.validFor');
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstKey(r)['validFor'] = { start: null }))),
      'MISSING_FIELD',
      'tlogs[0].publicKey.validFor.start',
    );
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstKey(r)['validFor'] = { start: '2022-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' }))),
      'INVALID_VALIDITY',
      'tlogs[0].publicKey.validFor',
    );
    // A single instant is a valid window, even below Date's millisecond precision.
    const instant = '2022-01-01T00:00:00.0000005Z';
    const root = parseTrustedRoot(mutate((r) => (firstKey(r)['validFor'] = { start: instant, end: instant })));
    const window = root.tlogs[0]?.publicKey.validFor;
    // Rounded inwards: the window a Date can hold is empty rather than widened.
    expect(window?.start.toISOString()).toBe('2022-01-01T00:00:00.001Z');
    expect(window?.end?.toISOString()).toBe('2022-01-01T00:00:00.000Z');
  });

  it('timestamps that are not RFC 3339', () => {
    for (const bad of [
      '2022-01-01',
      '2022-01-01 00:00:00Z',
      '2022-02-30T00:00:00Z',
      '2022-01-01T24:00:00Z',
      '2022-01-01T00:00:60Z',
      '2022-01-01T00:00:00',
      '2022-01-01T00:00:00.Z',
      '2022-01-01T00:00:00.1234567890Z',
      '0000-12-31T23:59:59Z',
      '1640995200',
    ]) {
      expectTrustError(
        () => parseTrustedRoot(mutate((r) => (firstKey(r)['validFor'] = { start: bad }))),
        'INVALID_FIELD',
        'tlogs[0].publicKey.validFor.start',
      );
    }
  });

  it('reads numeric offsets, fractions and two-digit years exactly', () => {
    const window = { start: '0050-06-01T00:00:00-01:00', end: '2022-01-01T02:30:00.25+02:30' };
    const root = parseTrustedRoot(mutate((r) => (firstKey(r)['validFor'] = window)));
    expect(root.tlogs[0]?.publicKey.validFor.start.toISOString()).toBe('0050-06-01T01:00:00.000Z');
    expect(root.tlogs[0]?.publicKey.validFor.end?.toISOString()).toBe('2022-01-01T00:00:00.250Z');
  });

  it('wrong JSON types, naming the field', () => {
    expectTrustError(() => parseTrustedRoot(mutate((r) => (r['tlogs'] = {}))), 'INVALID_FIELD', 'tlogs');
    expectTrustError(() => parseTrustedRoot(mutate((r) => (firstTlog(r)['baseUrl'] = 7))), 'INVALID_FIELD', 'tlogs[0].baseUrl');
    expectTrustError(() => parseTrustedRoot(mutate((r) => (firstTlog(r)['logId'] = 'abc'))), 'INVALID_FIELD', 'tlogs[0].logId');
  });

  it('authorities without certificates, and short checkpoint key ids', () => {
    expectTrustError(
      () =>
        parseTrustedRoot(
          mutate((r) => (((r['certificateAuthorities'] as Json[])[0] as Json)['certChain'] = { certificates: [] })),
        ),
      'MISSING_FIELD',
      'certificateAuthorities[0].certChain.certificates',
    );
    expectTrustError(
      () => parseTrustedRoot(mutate((r) => (firstTlog(r)['checkpointKeyId'] = { keyId: 'AAAA' }))),
      'INVALID_FIELD',
      'tlogs[0].checkpointKeyId.keyId',
    );
  });

  it('an absent list is an empty one, as in protobuf JSON', () => {
    const root = parseTrustedRoot({ mediaType: TRUSTED_ROOT_MEDIA_TYPE_V02 });
    expect(root).toEqual({
      mediaType: TRUSTED_ROOT_MEDIA_TYPE_V02,
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    });
  });

  it('keeps the error cause for JSON errors', () => {
    const error = expectTrustError(() => parseTrustedRoot('nope'), 'INVALID_JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

