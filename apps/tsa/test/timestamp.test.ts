import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { SignedData } from '@peculiar/asn1-cms';
import { AlgorithmIdentifier, Extension, Extensions } from '@peculiar/asn1-x509';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTsa } from '../src/app.js';
import { chainToPem } from '../src/identity.js';
import type { TsaIdentity } from '../src/identity.js';
import { opensslQuery, opensslText, opensslVerify, tempDir, testConfig, testIdentity, writeFiles } from './helpers.js';

const DATA = 'the artifact';
const SHA256 = '2.16.840.1.101.3.4.2.1';
const FROZEN = Date.parse('2026-03-01T12:34:56.789Z');

function query(options: { hash?: string; digest?: Uint8Array; nonce?: Uint8Array; certReq?: boolean; policy?: string; extensions?: boolean } = {}): Buffer {
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: options.hash ?? SHA256, parameters: null }),
      hashedMessage: new OctetString(options.digest ?? createHash('sha256').update(DATA).digest()),
    }),
    certReq: options.certReq ?? false,
  });
  if (options.nonce) req.nonce = new Uint8Array(options.nonce).buffer;
  if (options.policy) req.reqPolicy = options.policy;
  if (options.extensions) req.extensions = new Extensions([new Extension({ extnID: '1.2.3.4', critical: false, extnValue: new OctetString(new Uint8Array([5, 0])) })]);
  return Buffer.from(AsnConvert.serialize(req));
}

function tstInfoOf(reply: Uint8Array): { tst: TSTInfo; signedData: SignedData } {
  const resp = AsnConvert.parse(reply, TimeStampResp);
  const signedData = AsnConvert.parse(resp.timeStampToken!.content, SignedData);
  const tst = AsnConvert.parse(signedData.encapContentInfo.eContent!.single!.buffer, TSTInfo);
  return { tst, signedData };
}

describe('POST /api/v1/timestamp', () => {
  let identity: TsaIdentity;
  let app: FastifyInstance;
  let dir: string;
  let cleanup: () => Promise<void>;
  let dataFile: string;
  let rootPem: string;
  let intermediatePem: string;

  beforeAll(async () => {
    identity = await testIdentity();
    app = await buildTsa({ config: testConfig({ ACCEPTED_POLICY_OIDS: '1.2.3.4.5' }), identity, clock: () => FROZEN });
    ({ dir, cleanup } = await tempDir());
    dataFile = join(dir, 'data.txt');
    await writeFiles(dir, { 'data.txt': DATA });
    rootPem = chainToPem(identity.chain.slice(2));
    intermediatePem = chainToPem(identity.chain.slice(1, 2));
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  const post = (payload: Buffer | object, contentType = 'application/timestamp-query') =>
    app.inject({ method: 'POST', url: '/api/v1/timestamp', headers: { 'content-type': contentType }, payload: payload as Buffer });

  it('answers an OpenSSL query with a token OpenSSL verifies', async () => {
    const res = await post(await opensslQuery(dir, dataFile));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/timestamp-reply');
    const verified = await opensslVerify(dir, res.rawPayload, dataFile, rootPem, intermediatePem);
    expect(verified.output).toContain('Verification: OK');
    const text = await opensslText(dir, res.rawPayload);
    expect(text).toContain('Status: Granted.');
    expect(text).toContain('Policy OID: 1.3.6.1.4.1.57264.2');
    expect(text).toContain('Accuracy: 0x01 seconds');
    expect(text).toContain('Time stamp: Mar  1 12:34:56 2026 GMT');
    expect(text).toContain('TSA: DirName:/O=sigstack dev/CN=sigstack dev TSA');
  });

  it.each([
    ['-sha384', 'sha384'],
    ['-sha512', 'sha512'],
  ])('honours the requested hash (%s)', async (flag, name) => {
    const res = await post(await opensslQuery(dir, dataFile, [flag, '-cert']));
    expect(res.statusCode).toBe(200);
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem, intermediatePem)).ok).toBe(true);
    expect(await opensslText(dir, res.rawPayload)).toContain(`Hash Algorithm: ${name}`);
  });

  it('echoes the nonce and leaves the certificate out without certReq', async () => {
    const nonce = new Uint8Array([0x00, 0xff, 1, 2, 3, 4, 5, 6, 7]);
    const res = await post(query({ nonce }));
    expect(res.statusCode).toBe(200);
    const { tst, signedData } = tstInfoOf(res.rawPayload);
    expect(Buffer.from(tst.nonce!)).toEqual(Buffer.from(nonce));
    expect(signedData.certificates).toBeUndefined();
    // Without the certificate in the token, OpenSSL needs it from -untrusted.
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem, intermediatePem)).ok).toBe(false);
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem, chainToPem(identity.chain.slice(0, 2)))).ok).toBe(true);
  });

  it('puts the leaf alone into the token with certReq (upstream default), the chain with INCLUDE_CHAIN', async () => {
    const { signedData } = tstInfoOf((await post(query({ certReq: true }))).rawPayload);
    expect(signedData.certificates).toHaveLength(1);
    const withChain = await buildTsa({ config: testConfig({ INCLUDE_CHAIN: 'true' }), identity });
    const res = await withChain.inject({ method: 'POST', url: '/api/v1/timestamp', headers: { 'content-type': 'application/timestamp-query' }, payload: query({ certReq: true }) });
    expect(tstInfoOf(res.rawPayload).signedData.certificates).toHaveLength(3);
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem)).ok).toBe(true);
    await withChain.close();
  });

  it('states a requested policy it accepts, and refuses others', async () => {
    expect(tstInfoOf((await post(query({ policy: '1.2.3.4.5' }))).rawPayload).tst.policy).toBe('1.2.3.4.5');
    const res = await post(query({ policy: '1.2.3.4.6' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'UNACCEPTED_POLICY' });
  });

  it('gives every token its own serial number', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { tst } = tstInfoOf((await post(query())).rawPayload);
      serials.add(Buffer.from(tst.serialNumber).toString('hex'));
    }
    expect(serials.size).toBe(20);
  });

  it('answers the JSON request form as sigstore-js sends it', async () => {
    const digest = createHash('sha256').update(DATA).digest();
    const res = await post({ artifactHash: digest.toString('base64'), hashAlgorithm: 'sha256' }, 'application/json');
    expect(res.statusCode).toBe(200);
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem, chainToPem(identity.chain.slice(0, 2)))).ok).toBe(true);
  });

  it('honours nonce, certificates, policy and hash in the JSON form', async () => {
    const digest = createHash('sha512').update(DATA).digest();
    const res = await post(
      { artifactHash: digest.toString('base64'), hashAlgorithm: 'SHA512', nonce: '123456789012345678901234567890', certificates: true, tsaPolicyOID: '1.2.3.4.5' },
      'application/json',
    );
    expect(res.statusCode).toBe(200);
    const { tst, signedData } = tstInfoOf(res.rawPayload);
    expect(BigInt(`0x${Buffer.from(tst.nonce!).toString('hex')}`)).toBe(123456789012345678901234567890n);
    expect(signedData.certificates).toHaveLength(1);
    expect(tst.policy).toBe('1.2.3.4.5');
    expect((await opensslVerify(dir, res.rawPayload, dataFile, rootPem, intermediatePem)).ok).toBe(true);
  });

  it('answers 201 when HTTP_201 is set', async () => {
    const app201 = await buildTsa({ config: testConfig({ HTTP_201: 'true' }), identity });
    const res = await app201.inject({ method: 'POST', url: '/api/v1/timestamp', headers: { 'content-type': 'application/timestamp-query' }, payload: query() });
    expect(res.statusCode).toBe(201);
    await app201.close();
  });

  it('refuses a non-DER nonce even in the shape of a query it has already accepted (the fast path)', async () => {
    expect((await post(query({ nonce: new Uint8Array([0x01, 2, 3, 4, 5, 6, 7, 8, 9]) }))).statusCode).toBe(200);
    for (const nonce of [[0x00, 0x7f, 3, 4, 5, 6, 7, 8, 9], [0xff, 2, 3, 4, 5, 6, 7, 8, 9]]) {
      const res = await post(query({ nonce: new Uint8Array(nonce) }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'MALFORMED_TIMESTAMP_REQUEST' });
    }
  });

  describe('refusals', () => {
    const sha256 = createHash('sha256').update(DATA).digest();
    it.each([
      ['garbage', Buffer.from('not asn.1 at all'), 'MALFORMED_TIMESTAMP_REQUEST'],
      ['trailing data', Buffer.concat([query(), Buffer.from([0])]), 'MALFORMED_TIMESTAMP_REQUEST'],
      ['a truncated query', query().subarray(0, 20), 'MALFORMED_TIMESTAMP_REQUEST'],
      ['version 2', (() => { const q = query(); q[4] = 2; return q; })(), 'MALFORMED_TIMESTAMP_REQUEST'],
      ['SHA-1', query({ hash: '1.3.14.3.2.26', digest: new Uint8Array(20) }), 'WEAK_HASH_ALGORITHM'],
      ['MD5', query({ hash: '1.2.840.113549.2.5', digest: new Uint8Array(16) }), 'UNSUPPORTED_HASH_ALGORITHM'],
      ['a short digest', query({ digest: new Uint8Array(31) }), 'DIGEST_LENGTH_MISMATCH'],
      ['a SHA-512 OID with a SHA-256 digest', query({ hash: '2.16.840.1.101.3.4.2.3' }), 'DIGEST_LENGTH_MISMATCH'],
      ['extensions', query({ extensions: true }), 'UNACCEPTED_EXTENSION'],
      ['a non-minimal nonce', query({ nonce: new Uint8Array([0x00, 0x01, 2, 3, 4, 5, 6, 7, 8]) }), 'MALFORMED_TIMESTAMP_REQUEST'],
      ['a negative nonce', query({ nonce: new Uint8Array([0x80, 1, 2, 3, 4, 5, 6, 7, 8]) }), 'MALFORMED_TIMESTAMP_REQUEST'],
    ])('refuses %s with 400', async (_name, body, code) => {
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code });
    });

    it.each([
      ['SHA-1', { artifactHash: Buffer.alloc(20).toString('base64'), hashAlgorithm: 'sha1' }, 'WEAK_HASH_ALGORITHM'],
      ['md5', { artifactHash: Buffer.alloc(16).toString('base64'), hashAlgorithm: 'md5' }, 'UNSUPPORTED_HASH_ALGORITHM'],
      ['bad base64', { artifactHash: '!!!', hashAlgorithm: 'sha256' }, 'MALFORMED_TIMESTAMP_REQUEST'],
      ['a short hash', { artifactHash: Buffer.alloc(31).toString('base64'), hashAlgorithm: 'sha256' }, 'DIGEST_LENGTH_MISMATCH'],
      ['an imprecise nonce', { artifactHash: sha256.toString('base64'), hashAlgorithm: 'sha256', nonce: 2 ** 60 }, 'MALFORMED_TIMESTAMP_REQUEST'],
      ['a negative nonce', { artifactHash: sha256.toString('base64'), hashAlgorithm: 'sha256', nonce: -1 }, 'MALFORMED_TIMESTAMP_REQUEST'],
      ['a bad policy', { artifactHash: sha256.toString('base64'), hashAlgorithm: 'sha256', tsaPolicyOID: 'x.y' }, 'MALFORMED_TIMESTAMP_REQUEST'],
      ['an unaccepted policy', { artifactHash: sha256.toString('base64'), hashAlgorithm: 'sha256', tsaPolicyOID: '1.2.3' }, 'UNACCEPTED_POLICY'],
      ['no artifactHash', { hashAlgorithm: 'sha256' }, 'INVALID_REQUEST'],
      ['an array', [1, 2], 'INVALID_REQUEST'],
    ])('refuses a JSON request with %s with 400', async (_name, body, code) => {
      const res = await post(body, 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code });
    });

    it('refuses an empty body with 400', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/timestamp', headers: { 'content-type': 'application/timestamp-query' } });
      expect(res.statusCode).toBe(400);
    });

    it('refuses oversized bodies with 413', async () => {
      const res = await post(Buffer.alloc(5000));
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
      const json = await post({ artifactHash: 'A'.repeat(5000), hashAlgorithm: 'sha256' }, 'application/json');
      expect(json.statusCode).toBe(413);
    });

    it('refuses other content types with 415', async () => {
      for (const type of ['text/plain', 'application/octet-stream', 'multipart/form-data; boundary=application/json']) {
        const res = await post(query(), type);
        expect(res.statusCode, type).toBe(415);
      }
    });
  });
});

describe('GET /api/v1/timestamp/certchain', () => {
  it('serves the chain as PEM, leaf first', async () => {
    const identity = await testIdentity();
    const app = await buildTsa({ config: testConfig(), identity });
    const res = await app.inject({ method: 'GET', url: '/api/v1/timestamp/certchain' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pem-certificate-chain');
    expect(res.body).toBe(chainToPem(identity.chain));
    await app.close();
  });
});
