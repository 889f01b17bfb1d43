// A v1 log key rotation: the tree continues under a new key, entries logged before keep
// their log ID, SET and a checkpoint by the key they were logged under, new ones get the new
// key's, and a key history that does not match the log is refused at start-up.
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { ConfigError, parseConfig } from '@sigstack/server';
import { ecdsaNoteVerifier, hashLeaf, openCheckpoint, verifyConsistency, verifyInclusion } from '@sigstack/merkle';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { backends, ecdsaSigner, hashedrekord, hex, sha256, testRekor, type TestRekor } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Rekor's LogEntry JSON, read field by field
type LogEntry = Record<string, any>;

function keyFile(dir: string, name: string): { file: string; publicKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  return { file, publicKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** Checks one LogEntry: SET and checkpoint by `key`, inclusion in the proof's tree. */
function checkEntry(entry: LogEntry, key: { publicKey: KeyObject; spki: Buffer }, treeId: string): { treeSize: number; rootHash: Buffer } {
  expect(entry['logID']).toBe(hex(sha256(key.spki)));
  const payload = canonicalize({ body: entry['body'], integratedTime: entry['integratedTime'], logID: entry['logID'], logIndex: entry['logIndex'] })!;
  expect(verify('sha256', Buffer.from(payload), key.publicKey, Buffer.from(entry['verification'].signedEntryTimestamp, 'base64'))).toBe(true);
  const proof = entry['verification'].inclusionProof;
  const rootHash = Buffer.from(proof.rootHash, 'hex');
  verifyInclusion(proof.logIndex, proof.treeSize, hashLeaf(Buffer.from(entry['body'], 'base64')), proof.hashes.map((h: string) => Buffer.from(h, 'hex')), rootHash);
  const cp = openCheckpoint(proof.checkpoint, [ecdsaNoteVerifier('rekor.test', key.spki)], `rekor.test - ${treeId}`);
  expect(cp.checkpoint.size).toBe(proof.treeSize);
  expect(Buffer.from(cp.checkpoint.rootHash).equals(rootHash)).toBe(true);
  return { treeSize: proof.treeSize, rootHash };
}

describe('REKOR_RETIRED_KEYS', () => {
  const parse = (value: string) => parseConfig(configSchema, { env: { REKOR_RETIRED_KEYS: value } }).REKOR_RETIRED_KEYS;

  it('reads FILE@TIME items, oldest first', () => {
    expect(parse('a.pem@2026-01-01T00:00:00Z, /k/b@c.pem@2026-02-01T10:00:00.250+01:00')).toEqual([
      { file: 'a.pem', until: new Date('2026-01-01T00:00:00Z') },
      { file: '/k/b@c.pem', until: new Date('2026-02-01T09:00:00.250Z') },
    ]);
    expect(parseConfig(configSchema, { env: {} }).REKOR_RETIRED_KEYS).toEqual([]);
    expect(parseConfig(configSchema, { fileText: 'REKOR_RETIRED_KEYS: ["a.pem@2026-01-01T00:00:00Z"]' }).REKOR_RETIRED_KEYS).toHaveLength(1);
  });

  it.each([
    ['a.pem', /is not FILE@TIME/],
    ['@2026-01-01T00:00:00Z', /is not FILE@TIME/],
    ['a.pem@yesterday', /is not FILE@TIME/],
    ['a.pem@2026-01-01', /is not FILE@TIME/],
    ['a.pem@2026-02-01T00:00:00Z,b.pem@2026-01-01T00:00:00Z', /the times must increase/],
  ])('refuses %j in one line', (value, message) => {
    expect(() => parse(value)).toThrow(ConfigError);
    expect(() => parse(value)).toThrow(message);
  });
});

describe.each(backends)('a v1 log key rotation on $name', (backend) => {
  let db: SqlDatabase;
  let dir: string;
  let oldKey: ReturnType<typeof keyFile>;
  let newKey: ReturnType<typeof keyFile>;
  let before: TestRekor;
  let after: TestRekor;
  let rotatedAt: Date;
  const oldEntries: { id: string; entry: LogEntry }[] = [];
  const signer = ecdsaSigner();
  // No REKOR_TREE_ID: the tree ID comes from the first key, and must survive the rotation.
  const base = { REKOR_TREE_ID: '' };

  beforeAll(async () => {
    db = await backend.open();
    dir = mkdtempSync(join(tmpdir(), 'rekor-rotation-'));
    oldKey = keyFile(dir, 'old');
    newKey = keyFile(dir, 'new');
    before = await testRekor(db, { ...base, REKOR_KEY_FILE: oldKey.file });
    for (let i = 0; i < 3; i++) {
      const res = await before.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: hashedrekord(signer) });
      expect(res.statusCode).toBe(201);
      const [id, entry] = Object.entries(res.json() as Record<string, LogEntry>)[0]!;
      oldEntries.push({ id, entry: entry! });
    }
    await before.app.close();
    // The operator stops the log, then notes the time: every old entry is integrated before it.
    const last = Math.max(...(await Promise.all(oldEntries.map(async (e) => (await before.logs.v1.store.entryAt(e.entry['logIndex']))!.integratedAt))));
    rotatedAt = new Date(Math.max(Date.now(), last + 1));
    after = await testRekor(db, { ...base, REKOR_KEY_FILE: newKey.file, REKOR_RETIRED_KEYS: `${oldKey.file}@${rotatedAt.toISOString()}` });
  });
  afterAll(async () => {
    await after?.app.close();
    await db.close();
  });

  it('keeps the tree: same tree ID (from the first key), same entries', async () => {
    expect(after.logs.v1.treeId).toBe(before.logs.v1.treeId);
    expect(after.logs.v1.treeId).not.toBe(String(BigInt(`0x${hex(sha256(newKey.spki)).slice(0, 16)}`) & 0x7fffffffffffffffn));
    const log = (await after.app.inject('/api/v1/log')).json();
    expect(log).toMatchObject({ treeSize: 3, treeID: before.logs.v1.treeId, inactiveShards: [] });
    expect(after.logs.v1.retired).toMatchObject([{ start: 0, end: 3, until: rotatedAt.getTime(), head: { size: 3 } }]);
  });

  it('signs new entries, their SETs and checkpoints with the new key', async () => {
    const res = await after.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: hashedrekord(signer) });
    expect(res.statusCode).toBe(201);
    const entry = Object.values(res.json() as Record<string, LogEntry>)[0]!;
    expect(entry['logIndex']).toBe(3);
    checkEntry(entry, newKey, after.logs.v1.treeId);
    expect((await after.app.inject('/api/v1/log/publicKey')).body).toBe(newKey.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('answers older entries under the key they were logged with, proven in that key\'s last tree', async () => {
    for (const { id, entry } of oldEntries) {
      for (const url of [`/api/v1/log/entries/${id}`, `/api/v1/log/entries?logIndex=${entry['logIndex']}`]) {
        const got = Object.values((await after.app.inject(url)).json() as Record<string, LogEntry>)[0]!;
        expect(got['body']).toBe(entry['body']);
        expect(got['integratedTime']).toBe(entry['integratedTime']);
        // The same log ID and a SET that verifies under the old key, as in the client's bundle.
        expect(got['logID']).toBe(entry['logID']);
        expect(checkEntry(got, oldKey, after.logs.v1.treeId).treeSize).toBe(3);
      }
    }
    const retrieved = (await after.app.inject({ method: 'POST', url: '/api/v1/log/entries/retrieve', payload: { logIndexes: [0, 3] } })).json() as LogEntry[];
    expect(retrieved).toHaveLength(2);
    expect(checkEntry(Object.values(retrieved[0]!)[0], oldKey, after.logs.v1.treeId).treeSize).toBe(3);
    expect(checkEntry(Object.values(retrieved[1]!)[0], newKey, after.logs.v1.treeId).treeSize).toBe(4);
  });

  it('stays one consistent tree across the rotation', async () => {
    const oldHead = after.logs.v1.retired[0]!.head!;
    const head = (await after.app.inject('/api/v1/log')).json();
    const proof = (await after.app.inject(`/api/v1/log/proof?firstSize=3&lastSize=${head.treeSize}`)).json();
    expect(proof.rootHash).toBe(head.rootHash);
    verifyConsistency(3, head.treeSize, proof.hashes.map((h: string) => Buffer.from(h, 'hex')), oldHead.rootHash, Buffer.from(head.rootHash, 'hex'));
  });

  it('refuses a key history that does not match the log, in one line', async () => {
    // Retired "now": the entry logged under the new key would be claimed by the old one.
    await expect(testRekor(db, { ...base, REKOR_KEY_FILE: newKey.file, REKOR_RETIRED_KEYS: `${oldKey.file}@${new Date().toISOString()}` })).rejects.toThrow(
      /^invalid configuration \(1 problem\):\n {2}REKOR_RETIRED_KEYS: the checkpoint that should close .*old\.pem's entries \(tree size 4, .*\) is not signed by it; is that time when the key stopped signing\?$/,
    );
    await expect(testRekor(db, { ...base, REKOR_KEY_FILE: newKey.file, REKOR_RETIRED_KEYS: `${oldKey.file}@2999-01-01T00:00:00Z` })).rejects.toThrow(/is retired at 2999-01-01T00:00:00\.000Z, which is in the future/);
    await expect(testRekor(db, { ...base, REKOR_KEY_FILE: newKey.file, REKOR_RETIRED_KEYS: `${newKey.file}@${rotatedAt.toISOString()}` })).rejects.toThrow(/is listed twice/);
  });
});
