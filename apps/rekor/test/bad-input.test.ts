import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ecdsaSigner, envelope, hashedrekord, statement, testRekor, type TestRekor } from './helpers.js';

const signer = ecdsaSigner();
const other = ecdsaSigner();

type Case = [name: string, payload: string | object, status: number, code: string];

function mutate(fn: (e: ReturnType<typeof hashedrekord>) => void): object {
  const e = hashedrekord(signer);
  fn(e);
  return e;
}

const cases: Case[] = [
  ['malformed JSON', '{"kind": "hashedrekord", ', 400, 'MALFORMED_BODY'],
  ['JSON that is not an object', '[1,2,3]', 400, 'INVALID_REQUEST'],
  ['wrong kind', { kind: 'rekord', apiVersion: '0.0.1', spec: {} }, 400, 'UNSUPPORTED_KIND'],
  ['wrong version', { kind: 'hashedrekord', apiVersion: '0.0.9', spec: {} }, 400, 'UNSUPPORTED_KIND'],
  ['v2 kind on the v1 API', { kind: 'dsse', apiVersion: '0.0.2', spec: {} }, 400, 'UNSUPPORTED_KIND'],
  ['missing spec', { kind: 'hashedrekord', apiVersion: '0.0.1' }, 400, 'INVALID_REQUEST'],
  ['unknown field', mutate((e) => Object.assign(e.spec, { extra: 1 })), 400, 'INVALID_ENTRY'],
  ['bad base64 signature', mutate((e) => (e.spec.signature.content = '!!notbase64!!')), 400, 'INVALID_ENTRY'],
  ['bad base64 key', mutate((e) => (e.spec.signature.publicKey.content = 'a=b=')), 400, 'INVALID_ENTRY'],
  ['key that is not PEM', mutate((e) => (e.spec.signature.publicKey.content = Buffer.from('hello').toString('base64'))), 400, 'INVALID_KEY'],
  ['certificate that does not parse', mutate((e) => (e.spec.signature.publicKey.content = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'))), 400, 'INVALID_KEY'],
  ['digest of the wrong length', mutate((e) => (e.spec.data.hash.value = 'ab'.repeat(31))), 400, 'INVALID_ENTRY'],
  ['digest that is not hex', mutate((e) => (e.spec.data.hash.value = 'zz'.repeat(32))), 400, 'INVALID_ENTRY'],
  ['unknown digest algorithm', mutate((e) => (e.spec.data.hash.algorithm = 'md5')), 400, 'INVALID_ENTRY'],
  ['mismatched digest', mutate((e) => (e.spec.data.hash.value = randomBytes(32).toString('hex'))), 400, 'INVALID_SIGNATURE'],
  ['signature by another key', mutate((e) => (e.spec.signature.publicKey.content = Buffer.from(other.pem).toString('base64'))), 400, 'INVALID_SIGNATURE'],
  ['garbage signature', mutate((e) => (e.spec.signature.content = randomBytes(70).toString('base64'))), 400, 'INVALID_SIGNATURE'],
  ['sha384 digest for a P-256 key', mutate((e) => Object.assign(e.spec.data.hash, { algorithm: 'sha384', value: 'ab'.repeat(48) })), 400, 'INVALID_KEY'],
  [
    'dsse with a bad signature',
    {
      kind: 'dsse',
      apiVersion: '0.0.1',
      spec: { proposedContent: { envelope: JSON.stringify(envelope(other, statement('ab'.repeat(32)))), verifiers: [Buffer.from(signer.pem).toString('base64')] } },
    },
    400,
    'INVALID_SIGNATURE',
  ],
  ['dsse envelope that is not JSON', { kind: 'dsse', apiVersion: '0.0.1', spec: { proposedContent: { envelope: '{', verifiers: ['AAAA'] } } }, 400, 'INVALID_ENTRY'],
  ['intoto without hash', { kind: 'intoto', apiVersion: '0.0.2', spec: { content: { envelope: {} } } }, 400, 'INVALID_ENTRY'],
];

describe.each(backends)('bad input on $name', (backend) => {
  let db: SqlDatabase;
  let r: TestRekor;
  beforeAll(async () => {
    db = await backend.open();
    r = await testRekor(db, { BODY_LIMIT: '64KiB' });
  });
  afterAll(async () => {
    await r.app.close();
    await db.close();
  });

  const size = async () => (await r.app.inject('/api/v1/log')).json().treeSize as number;

  it.each(cases)('refuses %s with %s %s and leaves the tree unchanged', async (_name, payload, status, code) => {
    const before = await size();
    const res = await r.app.inject({
      method: 'POST',
      url: '/api/v1/log/entries',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['x-error-code']).toBe(code);
    expect(res.json()).toEqual({ code: status, message: expect.any(String) });
    expect(await size()).toBe(before);
  });

  it('refuses a huge body with 413', async () => {
    const e = hashedrekord(signer);
    const res = await r.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: { ...e, padding: 'x'.repeat(100_000) } });
    expect(res.statusCode).toBe(413);
  });

  it('refuses bodies that are not JSON objects, whatever their content type', async () => {
    for (const type of ['text/plain', 'application/octet-stream']) {
      const res = await r.app.inject({ method: 'POST', url: '/api/v1/log/entries', headers: { 'content-type': type }, payload: 'hello' });
      expect([400, 415]).toContain(res.statusCode);
    }
  });

  it('answers random and mutated entries with a 4xx, never a 5xx', async () => {
    const valid = JSON.stringify(hashedrekord(signer));
    const before = await size();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.tuple(fc.nat(valid.length - 1), fc.string({ maxLength: 4 })).map(([at, s]) => valid.slice(0, at) + s + valid.slice(at + 1)),
        ),
        async (text) => {
          const res = await r.app.inject({ method: 'POST', url: '/api/v1/log/entries', headers: { 'content-type': 'application/json' }, payload: text });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode !== 201 && res.statusCode !== 409) expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 150 },
    );
    // Mutations of the base64 padding or case of hex can still be valid entries; nothing else is logged.
    expect(await size()).toBeLessThanOrEqual(before + 1);
  });
});
