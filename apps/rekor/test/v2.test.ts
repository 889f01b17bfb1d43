import { createPublicKey, randomBytes, sign } from 'node:crypto';
import { TransparencyLogEntry } from '@sigstore/protobuf-specs';
import { ed25519NoteVerifier, hashLeaf, merkleRoot, openCheckpoint, parseEntryBundle, parseNote, verifyInclusion } from '@sigstack/merkle';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ecdsaSigner, hex, pae, sha256, testRekor, type TestRekor } from './helpers.js';

describe.each(backends)('Rekor v2 API on $name', (backend) => {
  let db: SqlDatabase;
  let r: TestRekor;
  const signer = ecdsaSigner();
  const spki = signer.publicKey.export({ type: 'spki', format: 'der' });
  beforeAll(async () => {
    db = await backend.open();
    r = await testRekor(db);
  });
  afterAll(async () => {
    await r.app.close();
    await db.close();
  });

  const verifier = { publicKey: { rawBytes: spki.toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' };
  const hashedRekord = (artifact = randomBytes(32)) => ({
    hashedRekordRequestV002: {
      digest: sha256(artifact).toString('base64'),
      signature: { content: sign('sha256', artifact, { key: signer.privateKey, dsaEncoding: 'der' }).toString('base64'), verifier },
    },
  });
  const post = (payload: object) => r.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload });
  const origin = () => r.config.REKOR_V2_ORIGIN!;
  const noteVerifier = () => ed25519NoteVerifier(origin(), createPublicKey(r.logs.v2!.publicKeyPem).export({ type: 'spki', format: 'der' }).subarray(12));

  it('logs a hashedrekord 0.0.2 entry and answers a TransparencyLogEntry with a C2SP checkpoint', async () => {
    const res = await post(hashedRekord());
    expect(res.statusCode, res.body).toBe(201);
    const json = res.json();
    // protobuf JSON: int64 as a string, and (like Go's protojson) zero values omitted.
    expect(json.logIndex === undefined || typeof json.logIndex === 'string').toBe(true);
    expect(typeof json.inclusionProof.treeSize).toBe('string');
    expect(json.integratedTime).toBeUndefined();
    expect(json.inclusionPromise).toBeUndefined();
    expect(json.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.2' });
    const tle = TransparencyLogEntry.fromJSON(json);
    // Log ID = SHA-256(origin || 0x0A || 0x01 || Ed25519 key), the C2SP key hash in full.
    const raw = createPublicKey(r.logs.v2!.publicKeyPem).export({ type: 'spki', format: 'der' }).subarray(12);
    expect(hex(tle.logId!.keyId)).toBe(hex(sha256(Buffer.concat([Buffer.from(origin()), Buffer.from([0x0a, 0x01]), raw]))));
    const body = JSON.parse(tle.canonicalizedBody.toString());
    expect(body.kind).toBe('hashedrekord');
    expect(body.apiVersion).toBe('0.0.2');
    expect(body.spec.hashedRekordV002.data.algorithm).toBe('SHA2_256');
    const proof = tle.inclusionProof!;
    verifyInclusion(Number(proof.logIndex), Number(proof.treeSize), hashLeaf(tle.canonicalizedBody), proof.hashes, proof.rootHash);
    const note = parseNote(proof.checkpoint!.envelope);
    expect(note.signatures).toHaveLength(1); // only the log's own signature
    const cp = openCheckpoint(proof.checkpoint!.envelope, [noteVerifier()], origin());
    expect(cp.checkpoint.size).toBe(Number(proof.treeSize));
    expect(note.signatures[0]!.keyHash).toBe(tle.logId!.keyId.readUInt32BE(0));
  });

  it('logs a dsse 0.0.2 entry, verifying the envelope signature', async () => {
    const payload = Buffer.from('{"hello":"world"}');
    const payloadType = 'application/vnd.in-toto+json';
    const sig = sign('sha256', pae(payloadType, payload), { key: signer.privateKey, dsaEncoding: 'der' });
    const request = { dsseRequestV002: { envelope: { payload: payload.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64'), keyid: '' }] }, verifiers: [verifier] } };
    const res = await post(request);
    expect(res.statusCode, res.body).toBe(201);
    const body = JSON.parse(Buffer.from(res.json().canonicalizedBody, 'base64').toString());
    expect(body.kind).toBe('dsse');
    expect(body.spec.dsseV002.payloadHash.digest).toBe(sha256(payload).toString('base64'));
    const bad = structuredClone(request);
    bad.dsseRequestV002.envelope.payload = Buffer.from('{"hello":"mallory"}').toString('base64');
    expect((await post(bad)).statusCode).toBe(400);
  });

  it('answers a duplicate with 409 and refuses bad requests without changing the tree', async () => {
    const request = hashedRekord();
    expect((await post(request)).statusCode).toBe(201);
    const before = (await r.app.inject('/api/v2/checkpoint')).body;
    const dup = await post(request);
    expect(dup.statusCode).toBe(409);
    expect(dup.headers['x-log-index']).toMatch(/^\d+$/);
    const wrongDigest = structuredClone(request);
    wrongDigest.hashedRekordRequestV002.digest = randomBytes(32).toString('base64');
    const wrongDetails = structuredClone(request);
    wrongDetails.hashedRekordRequestV002.signature.verifier = { ...verifier, keyDetails: 'PKIX_ED25519' };
    for (const [req, code] of [
      [wrongDigest, 'INVALID_SIGNATURE'],
      [wrongDetails, 'INVALID_KEY'],
      [{ nope: {} }, 'INVALID_ENTRY'],
      [{ hashedRekordRequestV002: { digest: '!!', signature: {} } }, 'INVALID_ENTRY'],
    ] as const) {
      const res = await post(req);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['x-error-code']).toBe(code);
    }
    expect((await r.app.inject('/api/v2/checkpoint')).body).toBe(before);
  });

  it('serves the tlog-tiles read API: checkpoint, hash tiles and entry bundles', async () => {
    // Fill past one full tile straight through the store (the bodies are opaque to tiles).
    const bodies = Array.from({ length: 300 }, (_, i) => Buffer.from(`tile test entry ${i} ${randomBytes(8).toString('hex')}`));
    const start = (await r.logs.v2!.store.treeHead()).size;
    await Promise.all(bodies.map((b) => r.logs.v2!.store.append({ data: b })));
    const cpRes = await r.app.inject('/api/v2/checkpoint');
    expect(cpRes.headers['content-type']).toContain('text/plain');
    expect(cpRes.headers['cache-control']).toBe('no-cache');
    const cp = openCheckpoint(cpRes.body, [noteVerifier()], origin()).checkpoint;
    const size = cp.size;
    expect(size).toBe(start + 300);

    const all = await r.logs.v2!.store.entries(0, size);
    const leafHashes = all.map((e) => hashLeaf(e.data));
    const full = await r.app.inject('/api/v2/tile/0/000');
    expect(full.statusCode).toBe(200);
    expect(full.headers['cache-control']).toContain('immutable');
    expect(full.headers['content-type']).toBe('application/octet-stream');
    expect(full.rawPayload.equals(Buffer.concat(leafHashes.slice(0, 256)))).toBe(true);
    const w = size - 256;
    const partial = await r.app.inject(`/api/v2/tile/0/001.p/${w}`);
    expect(partial.statusCode).toBe(200);
    expect(partial.rawPayload.equals(Buffer.concat(leafHashes.slice(256, size)))).toBe(true);
    expect((await r.app.inject(`/api/v2/tile/0/001.p/${w + 1}`)).statusCode).toBe(404);
    const level1 = await r.app.inject('/api/v2/tile/1/000.p/1');
    expect(level1.rawPayload.equals(Buffer.from(merkleRoot(leafHashes.slice(0, 256))))).toBe(true);
    const bundle = await r.app.inject('/api/v2/tile/entries/000');
    expect(bundle.headers['cache-control']).toContain('immutable');
    expect(parseEntryBundle(bundle.rawPayload).map((e) => Buffer.from(e).toString())).toEqual(all.slice(0, 256).map((e) => Buffer.from(e.data).toString()));
    const tail = await r.app.inject(`/api/v2/tile/entries/001.p/${w}`);
    expect(parseEntryBundle(tail.rawPayload)).toHaveLength(w);
    for (const bad of ['/api/v2/tile/0/1', '/api/v2/tile/0/001.p/0', '/api/v2/tile/99/000', '/api/v2/tile/0/x001/000', '/api/v2/tile/entries/005']) {
      expect((await r.app.inject(bad)).statusCode, bad).toBe(404);
    }
  });
});
