// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPublicKey, keyId } from '@sigstack/crypto';
import { hashLeaf, verifyConsistency, verifyInclusion } from '@sigstack/merkle';
import type { SqlDatabase } from '@sigstack/tlog-store';
import {
  decodeDigitallySigned,
  decodeMerkleTreeLeaf,
  embeddedSctEntry,
  issuerKeyHash,
  parseCertificate,
  precertTbs,
  sctSignedData,
  treeHeadSignedData,
  verifyDigitallySigned,
  verifySct,
} from '@sigstack/x509';
import type { CtEntry, SignedCertificateTimestamp } from '@sigstack/x509';
import { X509Certificate as CoreCertificate } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, b64, openssl, scratchDir, testLog, unb64 } from './helpers.js';
import type { SctJson, TestLog } from './helpers.js';
import { keyPair, makeLeaf, makePki } from './pki.js';
import type { TestPki } from './pki.js';

const require = createRequire(import.meta.url);
const { verifySCTs } = require('@sigstore/verify/dist/key/sct.js') as {
  verifySCTs: (cert: CoreCertificate, issuer: CoreCertificate, logs: unknown[]) => Buffer[];
};

function toSct(json: SctJson): SignedCertificateTimestamp {
  expect(json.sct_version).toBe(0);
  return { version: 0, logId: unb64(json.id), timestamp: json.timestamp, extensions: unb64(json.extensions), signature: decodeDigitallySigned(unb64(json.signature)) };
}

describe.each(backends)('CT log API on $name', (backend) => {
  let db: SqlDatabase;
  let pki: TestPki;
  let t: TestLog;
  let now = Date.UTC(2025, 5, 1, 0, 1);
  const clock = () => now;

  beforeAll(async () => {
    db = await backend.open();
    pki = await makePki();
    t = await testLog(db, pki, {}, clock);
  });
  afterAll(async () => {
    await t.app.close();
    await db.close();
  });

  const post = async (path: string, chain: Uint8Array[]) => t.app.inject({ method: 'POST', url: `/ct/v1/${path}`, payload: { chain: chain.map(b64) } });
  const sth = async () => (await t.app.inject({ url: '/ct/v1/get-sth' })).json<{ tree_size: number; timestamp: number; sha256_root_hash: string; tree_head_signature: string }>();

  it('add-chain: an x509_entry SCT from the log key, durable in the next STH', async () => {
    const leaf = await makeLeaf(pki.intermediate.cert ? pki.intermediate : pki.intermediate);
    const res = await post('add-chain', [leaf.der, pki.intermediate.der]);
    expect(res.statusCode).toBe(200);
    const sct = toSct(res.json());
    expect(sct.logId).toEqual(keyId(t.key.publicKey));
    expect(sct.timestamp).toBe(now);
    expect(verifySct(sct, { type: 'x509_entry', certificate: leaf.der }, t.key.publicKey)).toBe(true);

    await t.opened.log.sequenced();
    const head = await sth();
    expect(head.tree_size).toBe(1);
    expect(head.timestamp).toBeGreaterThanOrEqual(sct.timestamp);
    const signed = treeHeadSignedData({ timestamp: head.timestamp, treeSize: head.tree_size, rootHash: unb64(head.sha256_root_hash) });
    expect(verifyDigitallySigned(t.key.publicKey, signed, decodeDigitallySigned(unb64(head.tree_head_signature)))).toBe(true);

    // The leaf is the MerkleTreeLeaf of RFC 6962 3.4, with the SCT's timestamp; the chain ends in the root.
    const entries = (await t.app.inject({ url: '/ct/v1/get-entries?start=0&end=0' })).json<{ entries: { leaf_input: string; extra_data: string }[] }>();
    const leafInput = unb64(entries.entries[0]!.leaf_input);
    expect(decodeMerkleTreeLeaf(leafInput)).toEqual({ timestamp: sct.timestamp, entry: { type: 'x509_entry', certificate: leaf.der }, extensions: new Uint8Array() });
    expect(hashLeaf(leafInput)).toEqual(unb64(head.sha256_root_hash));
    const extra = Buffer.from(entries.entries[0]!.extra_data, 'base64');
    expect(extra.readUIntBE(0, 3)).toBe(extra.length - 3);
    expect(extra.subarray(6, 6 + pki.intermediate.der.length)).toEqual(Buffer.from(pki.intermediate.der));
    expect(extra.subarray(extra.length - pki.root.der.length)).toEqual(Buffer.from(pki.root.der));
  });

  it('add-pre-chain: the SCT embeds into the final certificate, which sigstore-js and we verify', async () => {
    const keys = await keyPair();
    const serialNumber = '7e57c0de01';
    const precert = await makeLeaf(pki.intermediate, { precert: true, keys, serialNumber });
    const res = await post('add-pre-chain', [precert.der, pki.intermediate.der, pki.root.der]);
    expect(res.statusCode).toBe(200);
    const sct = toSct(res.json());
    const entry: CtEntry = { type: 'precert_entry', issuerKeyHash: issuerKeyHash(parseCertificate(pki.intermediate.der)), tbsCertificate: precertTbs(parseCertificate(precert.der)) };
    expect(verifySct(sct, entry, t.key.publicKey)).toBe(true);

    await t.opened.log.sequenced();
    // The precert leaf hashes as RFC 6962 says: MerkleTreeLeaf over (issuer_key_hash, TBS without poison).
    const head = await sth();
    const leafInput = (await t.app.inject({ url: `/ct/v1/get-entries?start=${head.tree_size - 1}&end=${head.tree_size - 1}` })).json<{ entries: { leaf_input: string; extra_data: string }[] }>().entries[0]!;
    expect(decodeMerkleTreeLeaf(unb64(leafInput.leaf_input))).toEqual({ timestamp: sct.timestamp, entry, extensions: new Uint8Array() });
    // extra_data is a PrecertChainEntry: the precertificate, then the chain.
    const extra = Buffer.from(leafInput.extra_data, 'base64');
    expect(extra.readUIntBE(0, 3)).toBe(precert.der.length);
    expect(extra.subarray(3, 3 + precert.der.length)).toEqual(Buffer.from(precert.der));

    const final = await makeLeaf(pki.intermediate, { scts: [sct], keys, serialNumber });
    const parsed = parseCertificate(final.der);
    expect(embeddedSctEntry(parsed, parseCertificate(pki.intermediate.der))).toEqual(entry);
    expect(verifySct(parsed.embeddedScts![0]!, entry, t.key.publicKey)).toBe(true);
    const logs = [{ logID: Buffer.from(sct.logId), baseURL: '', publicKey: t.key.publicKey.keyObject, validFor: { start: new Date(0), end: new Date(8.64e15) } }];
    expect(verifySCTs(CoreCertificate.parse(Buffer.from(final.der)), CoreCertificate.parse(Buffer.from(pki.intermediate.der)), logs)).toEqual([Buffer.from(sct.logId)]);

    // openssl checks the SCT's ECDSA signature over the RFC 6962 bytes, with the log's public key.
    const dir = scratchDir();
    writeFileSync(join(dir, 'log.pem'), exportPublicKey(t.key.publicKey, 'pem'));
    writeFileSync(join(dir, 'sig.der'), sct.signature.signature);
    writeFileSync(join(dir, 'data.bin'), sctSignedData(sct, entry));
    expect(openssl(['dgst', '-sha256', '-verify', join(dir, 'log.pem'), '-signature', join(dir, 'sig.der'), join(dir, 'data.bin')])).toContain('Verified OK');
    expect(openssl(['x509', '-inform', 'DER', '-noout', '-text'], final.der)).toContain('CT Precertificate SCTs');
  });

  it('a resubmission gets an SCT with the first timestamp, and logs nothing new', async () => {
    const leaf = await makeLeaf(pki.intermediate);
    const first = toSct((await post('add-chain', [leaf.der, pki.intermediate.der])).json());
    await t.opened.log.sequenced();
    const size = (await sth()).tree_size;
    now += 5000;
    const again = toSct((await post('add-chain', [leaf.der, pki.intermediate.der])).json());
    expect(again.timestamp).toBe(first.timestamp);
    expect(verifySct(again, { type: 'x509_entry', certificate: leaf.der }, t.key.publicKey)).toBe(true);
    await t.opened.log.sequenced();
    expect((await sth()).tree_size).toBe(size);
  });

  it('concurrent submissions share batches; proofs from get-proof-by-hash and get-sth-consistency verify', async () => {
    const before = await sth();
    const leaves = await Promise.all(Array.from({ length: 12 }, (_, i) => makeLeaf(pki.intermediate, { email: `u${i}@example.com` })));
    const answers = await Promise.all(leaves.map((l) => post('add-chain', [l.der, pki.intermediate.der])));
    expect(answers.map((a) => a.statusCode)).toEqual(leaves.map(() => 200));
    await t.opened.log.sequenced();
    const after = await sth();
    expect(after.tree_size).toBe(before.tree_size + 12);
    const root = unb64(after.sha256_root_hash);

    const entries = (await t.app.inject({ url: `/ct/v1/get-entries?start=0&end=${after.tree_size + 10}` })).json<{ entries: { leaf_input: string }[] }>().entries;
    expect(entries).toHaveLength(after.tree_size);
    for (const [i, e] of entries.entries()) {
      const leafHash = hashLeaf(unb64(e.leaf_input));
      const res = await t.app.inject({ url: `/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(b64(leafHash))}&tree_size=${after.tree_size}` });
      const proof = res.json<{ leaf_index: number; audit_path: string[] }>();
      expect(proof.leaf_index).toBe(i);
      verifyInclusion(i, after.tree_size, leafHash, proof.audit_path.map(unb64), root);
    }
    const consistency = (await t.app.inject({ url: `/ct/v1/get-sth-consistency?first=${before.tree_size}&second=${after.tree_size}` })).json<{ consistency: string[] }>();
    verifyConsistency(before.tree_size, after.tree_size, consistency.consistency.map(unb64), unb64(before.sha256_root_hash), root);

    const one = (await t.app.inject({ url: `/ct/v1/get-entry-and-proof?leaf_index=3&tree_size=${after.tree_size}` })).json<{ leaf_input: string; audit_path: string[] }>();
    verifyInclusion(3, after.tree_size, hashLeaf(unb64(one.leaf_input)), one.audit_path.map(unb64), root);
  });

  it('get-roots lists the configured roots', async () => {
    const roots = (await t.app.inject({ url: '/ct/v1/get-roots' })).json<{ certificates: string[] }>();
    expect(roots.certificates).toEqual([b64(pki.root.der)]);
  });

  describe('refusals are 4xx with stable codes', () => {
    const code = async (res: Promise<{ statusCode: number; json: () => unknown }>) => {
      const r = await res;
      return [r.statusCode, (r.json() as { code: string }).code];
    };

    it('foreign roots, missing issuers, forged signatures', async () => {
      const other = await makePki('Other');
      const foreign = await makeLeaf(other.intermediate);
      expect(await code(post('add-chain', [foreign.der, other.intermediate.der]))).toEqual([400, 'UNTRUSTED_CHAIN']);
      expect(await code(post('add-chain', [foreign.der, other.intermediate.der, other.root.der]))).toEqual([400, 'UNTRUSTED_CHAIN']);
      const leaf = await makeLeaf(pki.intermediate);
      expect(await code(post('add-chain', [leaf.der]))).toEqual([400, 'UNTRUSTED_CHAIN']);
      // A leaf claiming our intermediate as issuer, signed by another key.
      const forged = await makeLeaf({ ...pki.intermediate, keys: other.intermediate.keys });
      expect(await code(post('add-chain', [forged.der, pki.intermediate.der]))).toEqual([400, 'UNTRUSTED_CHAIN']);
      // A leaf may not issue.
      const child = await makeLeaf(leaf);
      expect(await code(post('add-chain', [child.der, leaf.der, pki.intermediate.der]))).toEqual([400, 'UNTRUSTED_CHAIN']);
    });

    it('the wrong endpoint for the entry type', async () => {
      const precert = await makeLeaf(pki.intermediate, { precert: true });
      const cert = await makeLeaf(pki.intermediate);
      expect(await code(post('add-chain', [precert.der, pki.intermediate.der]))).toEqual([400, 'WRONG_ENTRY_TYPE']);
      expect(await code(post('add-pre-chain', [cert.der, pki.intermediate.der]))).toEqual([400, 'WRONG_ENTRY_TYPE']);
    });

    it('garbage', async () => {
      const cert = await makeLeaf(pki.intermediate);
      const send = (payload: unknown) => code(t.app.inject({ method: 'POST', url: '/ct/v1/add-chain', payload: payload as object }));
      expect(await send({ chain: [] })).toEqual([400, 'INVALID_CHAIN']);
      expect(await send({ chain: ['not base64!'] })).toEqual([400, 'INVALID_CHAIN']);
      expect(await send({ chain: ['AAAA'] })).toEqual([400, 'INVALID_CHAIN']);
      expect(await send({ chain: [b64(cert.der.subarray(0, 100)), b64(pki.intermediate.der)] })).toEqual([400, 'INVALID_CHAIN']);
      expect(await send({ chain: [b64(cert.der), 'AAAA'] })).toEqual([400, 'INVALID_CHAIN']);
      expect(await send({ chain: Array.from({ length: 6 }, () => b64(cert.der)) })).toEqual([400, 'INVALID_REQUEST']);
      expect(await send({})).toEqual([400, 'INVALID_REQUEST']);
      // ajv coerces a lone string into a one-item array; the string then fails as a certificate.
      expect(await send({ chain: 'x' })).toEqual([400, 'INVALID_CHAIN']);
      const res = await t.app.inject({ method: 'POST', url: '/ct/v1/add-chain', payload: '{', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
    });

    it('queries out of range', async () => {
      const size = (await sth()).tree_size;
      expect(await code(t.app.inject({ url: `/ct/v1/get-entries?start=${size}&end=${size + 1}` }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: '/ct/v1/get-entries?start=2&end=1' }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: '/ct/v1/get-entries?start=-1&end=1' }))).toEqual([400, 'INVALID_REQUEST']);
      expect(await code(t.app.inject({ url: `/ct/v1/get-sth-consistency?first=1&second=${size + 1}` }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: '/ct/v1/get-sth-consistency?first=3&second=2' }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: `/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(b64(new Uint8Array(32)))}&tree_size=${size}` }))).toEqual([404, 'HASH_NOT_FOUND']);
      expect(await code(t.app.inject({ url: `/ct/v1/get-proof-by-hash?hash=AAAA&tree_size=${size}` }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: `/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(b64(new Uint8Array(32)))}&tree_size=${size + 1}` }))).toEqual([400, 'INVALID_QUERY']);
      expect(await code(t.app.inject({ url: `/ct/v1/get-entry-and-proof?leaf_index=${size}&tree_size=${size}` }))).toEqual([400, 'INVALID_QUERY']);
      expect((await t.app.inject({ url: `/ct/v1/get-sth-consistency?first=${size}&second=${size}` })).json()).toEqual({ consistency: [] });
    });
  });
});
