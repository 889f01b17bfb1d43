import { PublicKeyDetails } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  buildDsseV001,
  buildDsseV001Request,
  buildDsseV002,
  buildHashedRekordV001,
  buildHashedRekordV002,
  buildIntotoV002,
  parseBundle,
  parseEntryBody,
  parseRekorV1Request,
  parseRekorV2Request,
  preAuthEncoding,
  rekorV2RequestToJSON,
  serializeEnvelope,
  type SigstoreBundle,
} from '../src/index.js';
import { refusal } from './errors.js';
import { readBundleText } from './testdata.js';

function pemCertificate(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function leaf(b: SigstoreBundle): Buffer {
  const c = b.verificationMaterial.content;
  if (c.$case === 'certificate') return c.certificate.rawBytes;
  if (c.$case === 'x509CertificateChain') return c.x509CertificateChain.certificates[0]!.rawBytes;
  throw new Error('no certificate');
}

const body = (b: SigstoreBundle): Buffer => b.verificationMaterial.tlogEntries[0]!.canonicalizedBody;

describe('Rekor v1 bodies', () => {
  it.each(['happy-path-v0.1', 'happy-path-v0.3', 'integrated-time-in-future_fail'])(
    'builds the hashedrekord 0.0.1 body of %s byte for byte',
    (name) => {
      const b = parseBundle(readBundleText(name));
      if (b.content.$case !== 'messageSignature') throw new Error('unexpected content');
      const built = buildHashedRekordV001({
        algorithm: 'sha256',
        digest: b.content.messageSignature.messageDigest.digest,
        signature: b.content.messageSignature.signature,
        publicKey: pemCertificate(leaf(b)),
      });
      expect(Buffer.from(built).equals(body(b))).toBe(true);
    },
  );

  it('builds the hashedrekord 0.0.1 body of a managed-key bundle from the key it logged', () => {
    const b = parseBundle(readBundleText('managed-key-happy-path'));
    const parsed = parseEntryBody(body(b));
    if (parsed.kind !== 'hashedrekord' || parsed.apiVersion !== '0.0.1' || b.content.$case !== 'messageSignature') throw new Error();
    const built = buildHashedRekordV001({
      algorithm: parsed.algorithm,
      digest: b.content.messageSignature.messageDigest.digest,
      signature: b.content.messageSignature.signature,
      publicKey: parsed.publicKey,
    });
    expect(Buffer.from(built).equals(body(b))).toBe(true);
  });

  it('builds dsse 0.0.1 bodies that match the logged payload hash and signature', () => {
    const b = parseBundle(readBundleText('happy-path-intoto-in-dsse-v3'));
    if (b.content.$case !== 'dsseEnvelope') throw new Error();
    const env = b.content.dsseEnvelope;
    const logged = parseEntryBody(body(b));
    const built = parseEntryBody(
      buildDsseV001({
        envelopeJson: serializeEnvelope(env),
        payload: env.payload,
        signatures: [{ signature: env.signatures[0]!.sig, verifier: pemCertificate(leaf(b)) }],
      }),
    );
    if (logged.kind !== 'dsse' || built.kind !== 'dsse' || logged.apiVersion !== '0.0.1' || built.apiVersion !== '0.0.1') throw new Error();
    expect(built.payloadHash).toEqual(logged.payloadHash);
    expect(built.signatures).toEqual(logged.signatures);
  });

  it('builds intoto 0.0.2 bodies that match the logged envelope', () => {
    const b = parseBundle(readBundleText('intoto-with-custom-trust-root'));
    if (b.content.$case !== 'dsseEnvelope') throw new Error();
    const logged = parseEntryBody(body(b));
    if (logged.kind !== 'intoto') throw new Error();
    const built = parseEntryBody(
      buildIntotoV002({
        envelopeJson: serializeEnvelope(b.content.dsseEnvelope),
        envelope: b.content.dsseEnvelope,
        publicKeys: logged.signatures.map((s) => s.publicKey),
      }),
    );
    expect({ ...built, hash: undefined }).toEqual({ ...logged, hash: undefined });
  });

  it('parses dsse 0.0.1 proposed entries and refuses them as stored bodies', () => {
    const request = buildDsseV001Request('{"payload":""}', ['-----BEGIN PUBLIC KEY-----\n']);
    expect(parseRekorV1Request(request)).toMatchObject({ kind: 'dsse', apiVersion: '0.0.1', envelope: '{"payload":""}' });
    expect(refusal(() => parseEntryBody(request))).toEqual({ code: 'INVALID_FIELD', field: 'spec.proposedContent' });
  });

  it('names unsupported kinds and versions', () => {
    for (const [kind, apiVersion] of [['rekord', '0.0.1'], ['hashedrekord', '0.0.3'], ['intoto', '0.0.1']]) {
      expect(refusal(() => parseEntryBody({ kind, apiVersion, spec: {} }))).toEqual({ code: 'UNSUPPORTED_ENTRY_KIND', field: 'kind' });
    }
    expect(refusal(() => parseRekorV1Request({ kind: 'intoto', apiVersion: '0.0.2', spec: {} })).code).toBe('UNSUPPORTED_ENTRY_KIND');
  });

  it('refuses malformed hashedrekord 0.0.1 bodies with the field named', () => {
    const good = JSON.parse(body(parseBundle(readBundleText('happy-path-v0.1'))).toString()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const upper = structuredClone(good);
    upper['spec']['data']['hash']['value'] = String(upper['spec']['data']['hash']['value']).toUpperCase();
    expect(refusal(() => parseEntryBody(upper))).toEqual({ code: 'INVALID_FIELD', field: 'spec.data.hash.value' });
    const short = structuredClone(good);
    short['spec']['data']['hash']['algorithm'] = 'sha512';
    expect(refusal(() => parseEntryBody(short))).toEqual({ code: 'INVALID_FIELD', field: 'spec.data.hash.value' });
    expect(refusal(() => parseEntryBody('not json', 'x.canonicalizedBody'))).toEqual({ code: 'INVALID_JSON', field: 'x.canonicalizedBody' });
  });
});

describe('Rekor v2 bodies', () => {
  it.each(['rekor2-happy-path', 'bundle-with-sct-with-extensions', 'rekor2-timestamp-with-embedded-cert'])(
    'builds the hashedrekord 0.0.2 body of %s byte for byte',
    (name) => {
      const b = parseBundle(readBundleText(name));
      if (b.content.$case !== 'messageSignature') throw new Error();
      const built = buildHashedRekordV002({
        data: b.content.messageSignature.messageDigest,
        signature: {
          content: b.content.messageSignature.signature,
          verifier: {
            verifier: { $case: 'x509Certificate', x509Certificate: { rawBytes: leaf(b) } },
            keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
          },
        },
      });
      expect(Buffer.from(built).equals(body(b))).toBe(true);
    },
  );

  it('builds the hashedrekord-over-DSSE body of rekor2-dsse-happy-path byte for byte', () => {
    const b = parseBundle(readBundleText('rekor2-dsse-happy-path'));
    if (b.content.$case !== 'dsseEnvelope') throw new Error();
    const env = b.content.dsseEnvelope;
    const built = buildHashedRekordV002({
      data: { algorithm: 1, digest: Buffer.from(sha256(preAuthEncoding(env.payloadType, env.payload))) },
      signature: {
        content: env.signatures[0]!.sig,
        verifier: {
          verifier: { $case: 'x509Certificate', x509Certificate: { rawBytes: leaf(b) } },
          keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
        },
      },
    });
    expect(Buffer.from(built).equals(body(b))).toBe(true);
  });

  it('builds and parses dsse 0.0.2 entries', () => {
    const entry = {
      payloadHash: { algorithm: 1, digest: Buffer.alloc(32, 7) },
      signatures: [
        {
          content: Buffer.from('sig'),
          verifier: { verifier: { $case: 'publicKey' as const, publicKey: { rawBytes: Buffer.from('key') } }, keyDetails: PublicKeyDetails.PKIX_ED25519 },
        },
      ],
    };
    const parsed = parseEntryBody(buildDsseV002(entry));
    expect(parsed).toEqual({ kind: 'dsse', apiVersion: '0.0.2', entry });
    const text = Buffer.from(buildDsseV002(entry)).toString();
    expect(text).toBe(
      '{"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="},"signatures":[{"content":"c2ln","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":"a2V5"}}}]}}}',
    );
  });

  it('parses and re-serialises create-entry requests', () => {
    const hashed = {
      hashedRekordRequestV002: {
        digest: Buffer.alloc(32, 1).toString('base64'),
        signature: { content: 'c2ln', verifier: { publicKey: { rawBytes: 'a2V5' }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' } },
      },
    };
    expect(rekorV2RequestToJSON(parseRekorV2Request(JSON.stringify(hashed)))).toEqual(hashed);
    const dsse = {
      dsseRequestV002: {
        envelope: { payload: 'cGF5bG9hZA==', payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'c2ln', keyid: '' }] },
        verifiers: [{ x509Certificate: { rawBytes: 'Y2VydA==' }, keyDetails: 'PKIX_ECDSA_P384_SHA_384' }],
      },
    };
    expect(rekorV2RequestToJSON(parseRekorV2Request(dsse))).toEqual(dsse);
    const bad = structuredClone(hashed);
    (bad.hashedRekordRequestV002.signature.verifier as Record<string, unknown>)['keyDetails'] = 'PKIX_RSA_TEST';
    expect(refusal(() => parseRekorV2Request(bad))).toEqual({ code: 'INVALID_FIELD', field: 'hashedRekordRequestV002.signature.verifier.keyDetails' });
    expect(refusal(() => parseRekorV2Request({}))).toMatchObject({ code: 'MISSING_FIELD' });
  });
});
