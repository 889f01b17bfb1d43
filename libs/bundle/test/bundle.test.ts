import { describe, expect, it } from 'vitest';
import {
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  bundleVersion,
  parseBundle,
  serializeBundle,
} from '../src/index.js';
import { refusal } from './errors.js';
import { readBundleText } from './testdata.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const load = (name: string): Json => JSON.parse(readBundleText(name)) as Json;
const v01 = (): Json => load('happy-path-v0.1');
const v03 = (): Json => load('happy-path-v0.3');
const dsse = (): Json => load('happy-path-intoto-in-dsse-v3');
const TLOG = 'verificationMaterial.tlogEntries[0]';

describe('bundle parsing', () => {
  it('reads the version from the media type', () => {
    expect(bundleVersion(parseBundle(readBundleText('happy-path-v0.1')))).toBe('0.1');
    expect(bundleVersion(parseBundle(readBundleText('happy-path-v0.2')))).toBe('0.2');
    const b = bundleFromJSON({ ...v03(), mediaType: BUNDLE_V03_LEGACY_MEDIA_TYPE });
    expect(bundleVersion(b)).toBe('0.3');
    expect(bundleVersion(bundleFromJSON({ ...v03(), mediaType: BUNDLE_V03_MEDIA_TYPE }))).toBe('0.3');
  });

  it('accepts UTF-8 bytes and refuses what is not JSON', () => {
    expect(parseBundle(Buffer.from(readBundleText('happy-path-v0.3')))).toEqual(parseBundle(readBundleText('happy-path-v0.3')));
    expect(refusal(() => parseBundle('{'))).toEqual({ code: 'INVALID_JSON', field: '' });
    expect(refusal(() => parseBundle(new Uint8Array([0x7b, 0xff, 0x7d])))).toEqual({ code: 'INVALID_JSON', field: '' });
    expect(refusal(() => parseBundle('[]'))).toEqual({ code: 'INVALID_FIELD', field: '' });
  });

  it('refuses unknown media types', () => {
    for (const mediaType of [
      'application/vnd.dev.sigstore.bundle+json;version=0.4',
      'application/vnd.dev.sigstore.bundle.v0.4+json',
      'application/json',
      '',
    ]) {
      expect(refusal(() => bundleFromJSON({ ...v03(), mediaType }))).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'mediaType' });
    }
    const b = v03();
    delete b['mediaType'];
    expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'MISSING_FIELD', field: 'mediaType' });
  });

  it('refuses unknown fields at any depth', () => {
    expect(refusal(() => bundleFromJSON({ ...v03(), extra: 1 }))).toEqual({ code: 'UNKNOWN_FIELD', field: 'extra' });
    const b = v03();
    b['verificationMaterial']['tlogEntries'][0]['inclusionProof']['extra'] = 'x';
    expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'UNKNOWN_FIELD', field: `${TLOG}.inclusionProof.extra` });
    const d = dsse();
    d['dsseEnvelope']['signatures'][0]['extra'] = 'x';
    expect(refusal(() => bundleFromJSON(d))).toEqual({ code: 'UNKNOWN_FIELD', field: 'dsseEnvelope.signatures[0].extra' });
  });

  it('applies the version rules', () => {
    const noSet = v01();
    delete noSet['verificationMaterial']['tlogEntries'][0]['inclusionPromise'];
    expect(refusal(() => bundleFromJSON(noSet))).toEqual({ code: 'MISSING_FIELD', field: `${TLOG}.inclusionPromise` });

    const noProof = v03();
    delete noProof['verificationMaterial']['tlogEntries'][0]['inclusionProof'];
    expect(refusal(() => bundleFromJSON(noProof))).toEqual({ code: 'MISSING_FIELD', field: `${TLOG}.inclusionProof` });

    const chainIn03 = v03();
    const cert = chainIn03['verificationMaterial']['certificate'];
    delete chainIn03['verificationMaterial']['certificate'];
    chainIn03['verificationMaterial']['x509CertificateChain'] = { certificates: [cert] };
    expect(refusal(() => bundleFromJSON(chainIn03))).toEqual({ code: 'INVALID_FIELD', field: 'verificationMaterial.x509CertificateChain' });

    const certIn01 = v01();
    certIn01['verificationMaterial']['certificate'] = certIn01['verificationMaterial']['x509CertificateChain']['certificates'][0];
    delete certIn01['verificationMaterial']['x509CertificateChain'];
    expect(refusal(() => bundleFromJSON(certIn01))).toEqual({ code: 'INVALID_FIELD', field: 'verificationMaterial.certificate' });

    const both = v03();
    both['verificationMaterial']['publicKey'] = { hint: 'x' };
    expect(refusal(() => bundleFromJSON(both)).code).toBe('INVALID_FIELD');
  });

  it('requires exactly one content and one DSSE signature', () => {
    const both = { ...v03(), dsseEnvelope: dsse()['dsseEnvelope'] };
    expect(refusal(() => bundleFromJSON(both))).toEqual({ code: 'INVALID_FIELD', field: 'dsseEnvelope' });
    const none = v03();
    delete none['messageSignature'];
    expect(refusal(() => bundleFromJSON(none)).code).toBe('MISSING_FIELD');
    const two = dsse();
    two['dsseEnvelope']['signatures'].push(two['dsseEnvelope']['signatures'][0]);
    expect(refusal(() => bundleFromJSON(two))).toEqual({ code: 'INVALID_FIELD', field: 'dsseEnvelope.signatures' });
  });

  it('reads int64 fields as canonical non-negative decimal strings', () => {
    for (const bad of [27246492, '027246492', '1e3', ' 1', '9223372036854775808', '-1', '']) {
      const b = v01();
      b['verificationMaterial']['tlogEntries'][0]['logIndex'] = bad;
      expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'INVALID_FIELD', field: `${TLOG}.logIndex` });
    }
    const b = v01();
    b['verificationMaterial']['tlogEntries'][0]['inclusionProof']['logIndex'] = '23083062';
    expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'INVALID_FIELD', field: `${TLOG}.inclusionProof.logIndex` });
  });

  it('reads bytes as canonical standard base64 and enums by known name', () => {
    const sig: string = v03()['messageSignature']['signature'];
    for (const bad of [sig.replace(/=+$/, ''), sig.replace(/\+/g, '-').replace(/\//g, '_'), 'QR==', '', 42]) {
      const b = v03();
      b['messageSignature']['signature'] = bad;
      expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'INVALID_FIELD', field: 'messageSignature.signature' });
    }
    for (const bad of ['sha256', 'HASH_ALGORITHM_UNSPECIFIED', 1]) {
      const b = v03();
      b['messageSignature']['messageDigest']['algorithm'] = bad;
      expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'INVALID_FIELD', field: 'messageSignature.messageDigest.algorithm' });
    }
  });

  it('refuses explicit nulls', () => {
    const b = v03();
    b['verificationMaterial']['timestampVerificationData'] = null;
    expect(refusal(() => bundleFromJSON(b))).toEqual({ code: 'INVALID_FIELD', field: 'verificationMaterial.timestampVerificationData' });
  });

  it('round-trips proto3 defaults the way Sigstore producers write them', () => {
    const b = v03();
    delete b['verificationMaterial']['tlogEntries'];
    const parsed = bundleFromJSON(b);
    expect(parsed.verificationMaterial.tlogEntries).toEqual([]);
    expect(parseBundle(serializeBundle(parsed))).toEqual(parsed);
  });
});
