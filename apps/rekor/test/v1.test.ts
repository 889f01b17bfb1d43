import { createPublicKey, randomBytes, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ecdsaNoteVerifier, hashLeaf, openCheckpoint, verifyConsistency, verifyInclusion } from '@sigstack/merkle';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ecdsaSigner, envelope, hashedrekord, hex, sha256, statement, testRekor, type TestRekor } from './helpers.js';

describe.each(backends)('Rekor v1 API on $name', (backend) => {
  let db: SqlDatabase;
  let r: TestRekor;
  const signer = ecdsaSigner();
  beforeAll(async () => {
    db = await backend.open();
    r = await testRekor(db);
  });
  afterAll(async () => {
    await r.app.close();
    await db.close();
  });

  const post = (url: string, payload: unknown) => r.app.inject({ method: 'POST', url, payload: payload as object });

  it('logs a hashedrekord entry and answers exactly as Rekor does', async () => {
    const res = await post('/api/v1/log/entries', hashedrekord(signer));
    expect(res.statusCode).toBe(201);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the Rekor response, read field by field below
    const json = res.json() as Record<string, Record<string, any>>;
    const [entryId, entry] = Object.entries(json)[0]!;
    expect(Object.keys(json)).toHaveLength(1);
    expect(entryId).toMatch(/^[0-9a-f]{80}$/);
    expect(entryId.slice(0, 16)).toBe(BigInt(r.config.REKOR_TREE_ID!).toString(16).padStart(16, '0'));
    expect(res.headers['location']).toBe(`/api/v1/log/entries/${entryId}`);
    const body = Buffer.from(entry!['body'], 'base64');
    // UUID = RFC 6962 leaf hash of the canonical body.
    expect(entryId.slice(16)).toBe(hex(hashLeaf(body)));
    expect(body.toString()).toBe(canonicalize(JSON.parse(body.toString())));
    expect(Object.keys(entry!).sort()).toEqual(['body', 'integratedTime', 'logID', 'logIndex', 'verification']);
    expect(typeof entry!['integratedTime']).toBe('number');
    expect(Math.abs(entry!['integratedTime'] - Date.now() / 1000)).toBeLessThan(60);
    const logKey = createPublicKey(r.logs.v1.publicKeyPem);
    expect(entry!['logID']).toBe(hex(sha256(logKey.export({ type: 'spki', format: 'der' }))));
    // SET over the canonical JSON of body, integratedTime, logID, logIndex.
    const setPayload = canonicalize({ body: entry!['body'], integratedTime: entry!['integratedTime'], logID: entry!['logID'], logIndex: entry!['logIndex'] })!;
    expect(verify('sha256', Buffer.from(setPayload), logKey, Buffer.from(entry!['verification'].signedEntryTimestamp, 'base64'))).toBe(true);
    const proof = entry!['verification'].inclusionProof;
    expect(Object.keys(proof).sort()).toEqual(['checkpoint', 'hashes', 'logIndex', 'rootHash', 'treeSize']);
    verifyInclusion(proof.logIndex, proof.treeSize, hashLeaf(body), proof.hashes.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(proof.rootHash, 'hex'));
    const spki = logKey.export({ type: 'spki', format: 'der' });
    const cp = openCheckpoint(proof.checkpoint, [ecdsaNoteVerifier('rekor.test', spki)], `rekor.test - ${r.config.REKOR_TREE_ID}`);
    expect(cp.checkpoint.size).toBe(proof.treeSize);
    expect(hex(cp.checkpoint.rootHash)).toBe(proof.rootHash);
  });

  it('answers a duplicate with 409 and the existing entry, logging it once', async () => {
    const proposed = hashedrekord(signer);
    const first = await post('/api/v1/log/entries', proposed);
    expect(first.statusCode).toBe(201);
    const size = (await r.app.inject('/api/v1/log')).json().treeSize;
    const again = await post('/api/v1/log/entries', proposed);
    expect(again.statusCode).toBe(409);
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(again.json()).toEqual({ code: 409, message: expect.stringContaining('already exists') });
    expect(again.headers['x-error-code']).toBe('ENTRY_EXISTS');
    expect((await r.app.inject('/api/v1/log')).json().treeSize).toBe(size);
  });

  it('finds entries by UUID, entry ID and log index, with a proof in the current tree', async () => {
    const created = (await post('/api/v1/log/entries', hashedrekord(signer))).json();
    const entryId = Object.keys(created)[0]!;
    const index = created[entryId].logIndex;
    for (const url of [`/api/v1/log/entries/${entryId}`, `/api/v1/log/entries/${entryId.slice(16)}`, `/api/v1/log/entries?logIndex=${index}`]) {
      const res = await r.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      const got = res.json();
      expect(Object.keys(got)).toEqual([entryId]);
      expect(got[entryId].body).toBe(created[entryId].body);
      const p = got[entryId].verification.inclusionProof;
      verifyInclusion(index, p.treeSize, hashLeaf(Buffer.from(got[entryId].body, 'base64')), p.hashes.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(p.rootHash, 'hex'));
    }
    expect((await r.app.inject(`/api/v1/log/entries/${'ab'.repeat(32)}`)).statusCode).toBe(404);
    expect((await r.app.inject(`/api/v1/log/entries/${'0'.repeat(16)}${entryId.slice(16)}`)).statusCode).toBe(404);
    expect((await r.app.inject('/api/v1/log/entries/xyz')).statusCode).toBe(400);
    expect((await r.app.inject('/api/v1/log/entries?logIndex=99999999')).statusCode).toBe(404);
    expect((await r.app.inject('/api/v1/log/entries?logIndex=-1')).statusCode).toBe(400);
  });

  it('retrieves by UUIDs, log indexes and proposed entries, at most 10', async () => {
    const proposed = hashedrekord(signer);
    const created = (await post('/api/v1/log/entries', proposed)).json();
    const entryId = Object.keys(created)[0]!;
    const res = await post('/api/v1/log/entries/retrieve', { entryUUIDs: [entryId.slice(16), 'cd'.repeat(32)], logIndexes: [created[entryId].logIndex], entries: [proposed] });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((e: object) => Object.keys(e)[0])).toEqual([entryId, entryId, entryId]);
    const tooMany = await post('/api/v1/log/entries/retrieve', { logIndexes: Array.from({ length: 11 }, (_, i) => i) });
    expect(tooMany.statusCode).toBe(422);
  });

  it('reports the log, its key and consistency proofs between checkpoints', async () => {
    const info1 = (await r.app.inject('/api/v1/log')).json();
    await post('/api/v1/log/entries', hashedrekord(signer));
    await post('/api/v1/log/entries', hashedrekord(signer));
    const res = await r.app.inject('/api/v1/log');
    const info = res.json();
    expect(Object.keys(info).sort()).toEqual(['inactiveShards', 'rootHash', 'signedTreeHead', 'treeID', 'treeSize']);
    expect(typeof info.treeSize).toBe('number');
    expect(info.treeID).toBe(r.config.REKOR_TREE_ID);
    expect(info.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.inactiveShards).toEqual([]);
    const pk = await r.app.inject('/api/v1/log/publicKey');
    expect(pk.headers['content-type']).toContain('application/x-pem-file');
    expect(pk.body).toBe(r.logs.v1.publicKeyPem);
    const proof = (await r.app.inject(`/api/v1/log/proof?firstSize=${info1.treeSize}&lastSize=${info.treeSize}`)).json();
    expect(proof.rootHash).toBe(info.rootHash);
    verifyConsistency(info1.treeSize, info.treeSize, proof.hashes.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(info1.rootHash, 'hex'), Buffer.from(info.rootHash, 'hex'));
    expect((await r.app.inject(`/api/v1/log/proof?firstSize=3&lastSize=2`)).statusCode).toBe(400);
    expect((await r.app.inject(`/api/v1/log/proof?lastSize=${info.treeSize + 1}`)).statusCode).toBe(400);
    expect((await r.app.inject(`/api/v1/log/proof?lastSize=1&treeID=42`)).statusCode).toBe(400);
  });

  it('logs dsse 0.0.1 and intoto 0.0.2 entries, and indexes them for search', async () => {
    const artifactDigest = hex(randomBytes(32));
    const env = envelope(signer, statement(artifactDigest));
    const dsse = await post('/api/v1/log/entries', {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: [Buffer.from(signer.pem).toString('base64')] } },
    });
    expect(dsse.statusCode, dsse.body).toBe(201);
    const dsseBody = JSON.parse(Buffer.from(Object.values(dsse.json() as Record<string, { body: string }>)[0]!.body, 'base64').toString());
    expect(dsseBody.spec.payloadHash.value).toBe(hex(sha256(Buffer.from(env.payload, 'base64'))));
    expect(dsseBody.spec.envelopeHash.value).toBe(hex(sha256(JSON.stringify(env))));

    const env2 = envelope(signer, statement(artifactDigest));
    const twice = (s: string) => Buffer.from(s).toString('base64');
    const intoto = await post('/api/v1/log/entries', {
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: { payloadType: env2.payloadType, payload: twice(env2.payload), signatures: [{ sig: twice(env2.signatures[0]!.sig), publicKey: twice(signer.pem) }] },
          hash: { algorithm: 'sha256', value: hex(randomBytes(32)) },
          payloadHash: { algorithm: 'sha256', value: hex(sha256(Buffer.from(env2.payload, 'base64'))) },
        },
      },
    });
    expect(intoto.statusCode, intoto.body).toBe(201);
    const intotoBody = JSON.parse(Buffer.from(Object.values(intoto.json() as Record<string, { body: string }>)[0]!.body, 'base64').toString());
    expect(intotoBody.spec.content.envelope.payload).toBeUndefined();

    const search = await post('/api/v1/index/retrieve', { hash: `sha256:${artifactDigest}` });
    expect(search.statusCode).toBe(200);
    expect(search.json()).toHaveLength(2);
    const byKey = await post('/api/v1/index/retrieve', { publicKey: { format: 'x509', content: Buffer.from(signer.pem).toString('base64') } });
    expect(byKey.json().length).toBeGreaterThanOrEqual(2);
    const both = await post('/api/v1/index/retrieve', {
      hash: artifactDigest,
      publicKey: { format: 'x509', content: Buffer.from(signer.pem).toString('base64') },
      operator: 'and',
    });
    expect(both.json()).toEqual(search.json());
  });

  it('finds a hashedrekord entry by artifact hash', async () => {
    const artifact = randomBytes(40);
    const created = (await post('/api/v1/log/entries', hashedrekord(signer, artifact))).json();
    const res = await post('/api/v1/index/retrieve', { hash: `sha256:${hex(sha256(artifact))}` });
    expect(res.json()).toEqual(Object.keys(created));
    expect((await post('/api/v1/index/retrieve', { publicKey: { format: 'ssh', content: 'AAAA' } })).statusCode).toBe(400);
    expect((await post('/api/v1/index/retrieve', {})).statusCode).toBe(400);
  });
});
