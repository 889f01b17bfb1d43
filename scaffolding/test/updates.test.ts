import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPublicKey, generateKeyPair } from '@sigstack/crypto';
import { parseTrustedRoot } from '@sigstack/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyRepository } from '../src/client.js';
import type { VerifyReport } from '../src/client.js';
import { gatherTrustMaterial } from '../src/gather.js';
import { initRepository } from '../src/init.js';
import { proposeRoot, publishRoot, signRootProposal, updateTargets } from '../src/ops.js';
import { DEFAULT_EXPIRY } from '../src/policy.js';
import { refreshRepository } from '../src/refresh.js';
import { readRepository } from '../src/repository.js';
import type { TufSigner } from '../src/signer.js';
import { publishTrustMaterial } from '../src/trust-targets.js';
import { signers, tempDir, text } from './helpers.js';

const T0 = new Date('2030-01-01T00:00:00Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const expiry = DEFAULT_EXPIRY; // timestamp 7 days, snapshot 21, targets 182, root 365

let root: TufSigner[];
let targets: TufSigner[];
let online: TufSigner[];
let spare: TufSigner[];
let rekorKeys: string[];

beforeAll(async () => {
  [root, targets, online, spare] = await Promise.all([signers(3), signers(1), signers(1), signers(3)]);
  rekorKeys = await Promise.all([0, 1].map(async () => exportPublicKey((await generateKeyPair('ecdsa-p256')).publicKey, 'pem')));
});

async function newRepo(): Promise<{ dir: string; client: (at: Date) => Promise<VerifyReport> }> {
  const dir = await tempDir();
  await initRepository({
    dir,
    rootSigners: root,
    rootThreshold: 2,
    targetsSigners: targets,
    onlineSigners: online,
    expiry,
    now: T0,
    targetFiles: new Map([['a.txt', text('a')]]),
  });
  const initialRoot = await readFile(path.join(dir, '1.root.json'));
  const cacheDir = await tempDir('scaffolding-client-');
  // One client, initialised once and kept: every later call updates from its cache.
  return { dir, client: (at) => verifyRepository({ repository: dir, initialRoot, cacheDir, at }) };
}

const versions = (r: VerifyReport) => Object.fromEntries(r.roles.map((x) => [x.role, x.version]));
const common = (now: Date) => ({ expiry, now, targetsSigners: targets, onlineSigners: online });

describe('an initialised client keeps updating', () => {
  it('across a root key rotation (old and new thresholds) that also rotates the online key', async () => {
    const { dir, client } = await newRepo();
    expect(versions(await client(days(1)))).toMatchObject({ root: 1, timestamp: 1 });

    const [r1, r2, r3] = root as [TufSigner, TufSigner, TufSigner];
    const [newRootKey, newOnline] = spare as [TufSigner, TufSigner];
    const proposal = await proposeRoot({
      dir,
      roles: {
        root: { keys: [r2.key, r3.key, newRootKey.key], threshold: 2 },
        snapshot: { keys: [newOnline.key], threshold: 1 },
        timestamp: { keys: [newOnline.key], threshold: 1 },
      },
      expiry,
      now: days(2),
    });
    // Only the retiring key and one new key so far: the old threshold (2 of r1..r3) is met,
    // the new one (2 of r2, r3, new) is not.
    const current = (await readRepository(dir)).root.signed;
    await signRootProposal(proposal, r1, current);
    await signRootProposal(proposal, newRootKey, current);
    await expect(publishRoot(proposal, { dir, ...common(days(2)), onlineSigners: [newOnline] })).rejects.toMatchObject({ code: 'THRESHOLD_NOT_MET' });
    await signRootProposal(proposal, r2, current);
    await publishRoot(proposal, { dir, ...common(days(2)), onlineSigners: [newOnline] });

    expect(versions(await client(days(3)))).toMatchObject({ root: 2, timestamp: 2, snapshot: 2, targets: 1 });
    // A fresh client from root v1 walks the chain too.
    const fresh = await verifyRepository({ repository: dir, initialRoot: await readFile(path.join(dir, '1.root.json')), at: days(3) });
    expect(versions(fresh)).toMatchObject({ root: 2 });
    // The old online key is no longer trusted for the timestamp.
    await expect(refreshRepository({ dir, onlineSigners: online, expiry, now: days(4), force: true })).rejects.toMatchObject({ code: 'KEY_NOT_IN_ROLE' });
  });

  it('refuses a root signed only by keys the current root does not trust', async () => {
    const { dir } = await newRepo();
    const proposal = await proposeRoot({ dir, roles: { root: { keys: spare.map((s) => s.key), threshold: 2 } }, expiry, now: days(1) });
    await expect(signRootProposal(proposal, targets[0] as TufSigner, (await readRepository(dir)).root.signed)).rejects.toMatchObject({ code: 'KEY_NOT_IN_ROLE' });
    for (const s of spare) await signRootProposal(proposal, s);
    await expect(publishRoot(proposal, { dir, ...common(days(1)) })).rejects.toMatchObject({ code: 'THRESHOLD_NOT_MET' });
  });

  it('across a service key rotation: the old key keeps its history with an end', async () => {
    const { dir, client } = await newRepo();
    const rekor = (pem: string, now: Date) => gatherTrustMaterial({ rekor: [{ url: 'https://rekor.example', publicKeyPem: pem }] }, { now });
    await publishTrustMaterial({ dir, material: await rekor(rekorKeys[0] as string, days(1)), ...common(days(1)) });
    const first = await client(days(2));
    expect(first.trustedRoot?.tlogs).toHaveLength(1);

    await publishTrustMaterial({ dir, material: await rekor(rekorKeys[1] as string, days(10)), ...common(days(10)) });
    const second = await client(days(11));
    expect(versions(second)).toMatchObject({ targets: 3 });
    const [old, current] = second.trustedRoot?.tlogs ?? [];
    expect(old?.publicKey.validFor).toEqual({ start: days(1), end: days(10) });
    expect(current?.publicKey.validFor).toEqual({ start: days(10) });
    expect(old?.logId.keyId).toEqual(first.trustedRoot?.tlogs[0]?.logId.keyId);
    // Publishing the same material again changes nothing in the trusted root.
    await publishTrustMaterial({ dir, material: await rekor(rekorKeys[1] as string, days(12)), ...common(days(12)) });
    const again = await client(days(12));
    expect(again.trustedRoot).toEqual(second.trustedRoot);
    expect(parseTrustedRoot(await readFile(path.join(dir, 'targets', `${again.targets.find((t) => t.name === 'trusted_root.json')?.sha256}.trusted_root.json`), 'utf8'))).toEqual(second.trustedRoot);
  });

  it('across refreshes, and a frozen (unrefreshed) timestamp is rejected once expired', async () => {
    const { dir, client } = await newRepo();
    await client(days(1));
    const kept = await refreshRepository({ dir, onlineSigners: online, expiry, now: days(2) });
    expect(kept.timestamp).toMatchObject({ version: 1, resigned: false });
    const renewed = await refreshRepository({ dir, onlineSigners: online, expiry, now: days(5) });
    expect(renewed.timestamp).toMatchObject({ version: 2, resigned: true, expires: days(12) });
    expect(renewed.snapshot).toMatchObject({ version: 1, resigned: false });
    expect(versions(await client(days(11)))).toMatchObject({ timestamp: 2 });
    const both = await refreshRepository({ dir, onlineSigners: online, expiry, now: days(15) });
    expect(both.snapshot).toMatchObject({ version: 2, resigned: true });
    expect(versions(await client(days(16)))).toMatchObject({ timestamp: 3, snapshot: 2 });
    // No refresh after day 15: at day 23 the timestamp (expires day 22) is stale.
    await expect(client(days(23))).rejects.toMatchObject({ code: 'EXPIRED' });
  });
});

describe('attacks a client rejects', () => {
  it('a rolled-back timestamp', async () => {
    const { dir, client } = await newRepo();
    await copyFile(path.join(dir, 'timestamp.json'), path.join(dir, 'old-timestamp'));
    await updateTargets({ dir, set: new Map([['b.txt', text('b')]]), ...common(days(1)) });
    expect(versions(await client(days(1)))).toMatchObject({ timestamp: 2, targets: 2 });
    await copyFile(path.join(dir, 'old-timestamp'), path.join(dir, 'timestamp.json'));
    await expect(client(days(2))).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/less than current/) });
  });

  it('a target swapped without re-signing', async () => {
    const { dir, client } = await newRepo();
    const [file] = (await readdir(path.join(dir, 'targets'))).filter((f) => f.endsWith('.a.txt'));
    await writeFile(path.join(dir, 'targets', file as string), 'b');
    await expect(client(days(1))).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
  });

  it('targets metadata edited without re-signing', async () => {
    const { dir, client } = await newRepo();
    const file = path.join(dir, '1.targets.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.signed.expires = '2099-01-01T00:00:00Z';
    await writeFile(file, JSON.stringify(json));
    await expect(client(days(1))).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
  });

  it('a timestamp signed by a key the root does not list', async () => {
    const { dir, client } = await newRepo();
    await expect(refreshRepository({ dir, onlineSigners: spare, expiry, now: days(1), force: true })).rejects.toMatchObject({ code: 'KEY_NOT_IN_ROLE' });
    const json = JSON.parse(await readFile(path.join(dir, 'timestamp.json'), 'utf8'));
    json.signed.version = 9;
    await writeFile(path.join(dir, 'timestamp.json'), JSON.stringify(json));
    await expect(client(days(1))).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/timestamp was signed by 0\/1/) });
  });
});
