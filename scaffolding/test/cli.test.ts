import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodePem, exportPublicKey, generateKeyPair } from '@sigstack/crypto';
import { sharedTestdata } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-run.js';
import type { CliIo } from '../src/cli-run.js';
import type { FetchLike } from '../src/gather.js';
import { generateKeyFile } from '../src/keys.js';
import { noteKeyId } from '../src/gather.js';
import { serveRepository } from '../src/serve.js';
import { publishedTrustMaterial } from '../src/trust-targets.js';
import { tempDir } from './helpers.js';

const PASSWORD = { SIGSTACK_TUF_PASSWORD: 'correct horse' };
const publicRoot = parseTrustedRoot(await readFile(sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json'), 'utf8'));
const rekorPem = encodePem('PUBLIC KEY', publicRoot.tlogs[0]!.publicKey.rawBytes);
const fetch: FetchLike = async (url) => ({
  ok: url === 'https://rekor.example/api/v1/log/publicKey',
  status: url === 'https://rekor.example/api/v1/log/publicKey' ? 200 : 404,
  text: async () => rekorPem,
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], extra: Partial<CliIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: PASSWORD, fetch, ...extra });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let work: string;
let repo: string;
let firstRoot: string;
let files: string;

beforeAll(async () => {
  work = await tempDir('sigstack-tuf-cli-');
  files = await tempDir('sigstack-tuf-files-');
  repo = path.join(work, 'repository');
  firstRoot = path.join(repo, '1.root.json');
  const ca = publicRoot.certificateAuthorities.at(-1)!;
  await writeFile(path.join(files, 'fulcio-chain.pem'), ca.certChain.certificates.map((c) => encodePem('CERTIFICATE', c.rawBytes)).join(''));
  const run = await cli([
    'init', '--dir', work, '--root-keys', '2', '--root-threshold', '2', '--scrypt-n', '32768',
    '--fulcio', `https://fulcio.example,chain=${path.join(files, 'fulcio-chain.pem')}`,
    '--rekor', 'https://rekor.example', '--oidc', 'https://oidc.example', '--operator', 'example',
  ]);
  expect(run).toMatchObject({ code: 0, err: '' });
  expect(run.out).toMatch(/root v1 \(2 of 2 root keys\), targets \[signing_config\.v0\.2\.json, trusted_root\.json\]/);
});

describe('sigstack-tuf', () => {
  it('never regenerates an existing repository', async () => {
    const run = await cli(['init', '--dir', work, '--scrypt-n', '32768']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: REPOSITORY_EXISTS: /);
    expect(run.err.split('\n')).toHaveLength(1);
  });

  it('verify prints every key, URL and window, and role expiries; --warn-days exits 2', async () => {
    const run = await cli(['verify', '--repo', repo, '--root', firstRoot]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('tlog https://rekor.example');
    expect(run.out).toContain(`logId ${Buffer.from(publicRoot.tlogs[0]!.logId.keyId).toString('base64')}`);
    expect(run.out).toContain('ca https://fulcio.example');
    expect(run.out).toMatch(/rekor https:\/\/rekor\.example v1 valid \S+ \.\. open operator example/);
    expect(run.out).toMatch(/timestamp v1 expires/);
    const warn = await cli(['verify', '--repo', `file://${repo}`, '--root', firstRoot, '--warn-days', '30']);
    expect(warn.code).toBe(2);
    expect(warn.err).toMatch(/^WARN expiring within 30 days: timestamp v1/);
    expect((await cli(['verify', '--repo', repo, '--root', firstRoot, '--warn-days', '3'])).code).toBe(0);
  });

  it('verify --offline never reaches the network', async () => {
    const server = await serveRepository({ dir: repo, port: 0 });
    let requests = 0;
    server.server.on('request', () => (requests += 1));
    try {
      const run = await cli(['verify', '--offline', '--repo', server.url, '--root', firstRoot]);
      expect(run).toMatchObject({ code: 1 });
      expect(run.err).toMatch(/^error: OFFLINE: /);
      expect(requests).toBe(0);
      expect((await cli(['verify', '--repo', server.url, '--root', firstRoot])).code).toBe(0);
      expect(requests).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
    expect((await cli(['verify', '--offline', '--repo', repo, '--root', firstRoot])).code).toBe(0);
  });

  it('serve, then a client over HTTP', async () => {
    let verified: Run | undefined;
    const run = await cli(['serve', '--dir', work, '--port', '0'], {
      onServe: async (server) => {
        verified = await cli(['verify', '--repo', server.url, '--root', firstRoot]);
        await server.close();
      },
    });
    expect(run.code).toBe(0);
    expect(verified?.code).toBe(0);
    expect(verified?.out).toContain('trusted_root.json');
  });

  it('a key ceremony rotates a root key; a client with a cache follows', async () => {
    const cache = await tempDir('sigstack-tuf-cache-');
    expect((await cli(['verify', '--repo', repo, '--root', firstRoot, '--cache', cache])).code).toBe(0);
    const holder = await generateKeyFile({ dir: files, name: 'new-root', password: PASSWORD.SIGSTACK_TUF_PASSWORD, scryptN: 32768 });
    const root1 = JSON.parse(await readFile(firstRoot, 'utf8'));
    const retiring = root1.signed.roles.root.keyids[0] as string;
    const propose = await cli(['rotate', 'root', '--dir', work, '--remove-root-key', retiring, '--add-root-pub', holder.publicKeyFile]);
    expect(propose.code).toBe(0);
    expect(propose.out).toMatch(/proposed root v2: 0\/2 new-root signatures, 0\/2 current-root signatures/);
    const sign = (key: string) => cli(['root', 'sign', '--dir', work, '--key', key]);
    expect((await sign(path.join(work, 'keys', 'root-1.key'))).code).toBe(0);
    expect((await sign(path.join(work, 'keys', 'root-2.key'))).out).toMatch(/2\/2 current-root signatures/);
    const early = await cli(['root', 'publish', '--dir', work]);
    expect(early).toMatchObject({ code: 1 });
    expect(early.err).toMatch(/^error: THRESHOLD_NOT_MET: root v2 has 1 of the 2 root signatures/);
    expect((await sign(holder.keyFile)).out).toMatch(/2\/2 new-root signatures, 2\/2 current-root signatures/);
    const publish = await cli(['root', 'publish', '--dir', work]);
    expect(publish).toMatchObject({ code: 0, out: 'published root v2; timestamp v2' });
    const after = await cli(['verify', '--repo', repo, '--root', firstRoot, '--cache', cache]);
    expect(after.out).toMatch(/root v2 expires/);
    const status = await cli(['root', 'status', '--dir', work]);
    expect(status.err).toMatch(/^error: NO_PROPOSAL: /);
  });

  it('rotate service ends the old key window and starts the new one', async () => {
    const newKey = path.join(files, 'rekor-new.pub');
    await writeFile(newKey, exportPublicKey((await generateKeyPair('ecdsa-p256')).publicKey, 'pem'));
    const run = await cli(['rotate', 'service', '--dir', work, '--rekor', `https://rekor.example,key=${newKey}`]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^rotated targets v\d+/);
    const verified = await cli(['verify', '--repo', repo, '--root', firstRoot]);
    const windows = [...verified.out.matchAll(/tlog https:\/\/rekor\.example\n.*\n\s+valid (\S+) \.\. (\S+)/g)].map((m) => m[2]);
    expect(windows).toHaveLength(2);
    expect(windows[0]).not.toBe('open');
    expect(windows[1]).toBe('open');
  });

  it('rotate service --rotated-at ends the old window then and starts the new one at that second', async () => {
    const v2Old = await generateKeyPair('ed25519');
    const v2New = await generateKeyPair('ed25519');
    const oldPub = path.join(files, 'rekor-v2-old.pub');
    const newPub = path.join(files, 'rekor-v2-new.pub');
    await writeFile(oldPub, exportPublicKey(v2Old.publicKey, 'pem'));
    await writeFile(newPub, exportPublicKey(v2New.publicKey, 'pem'));
    const v2 = (key: string) => `https://log.rekor.example,key=${key},origin=log.rekor.example`;
    expect((await cli(['add', '--dir', work, '--rekor-v2', v2(oldPub), '--valid-from', new Date(Date.now() - 120_000).toISOString()])).code).toBe(0);
    const rotatedAt = new Date(Date.now() - 60_000);
    rotatedAt.setUTCMilliseconds(750);
    const run = await cli(['rotate', 'service', '--dir', work, '--rekor-v2', v2(newPub), '--rotated-at', rotatedAt.toISOString()]);
    expect(run).toMatchObject({ code: 0, err: '' });
    const tlogs = (await publishedTrustMaterial(repo)).trustedRoot!.tlogs.filter((t) => t.baseUrl === 'https://log.rekor.example');
    expect(tlogs.map((t) => t.logId.keyId)).toEqual([noteKeyId('log.rekor.example', v2Old.publicKey), noteKeyId('log.rekor.example', v2New.publicKey)].map((id) => Buffer.from(id)));
    expect(tlogs[0]!.publicKey.validFor.end).toEqual(rotatedAt);
    expect(tlogs[1]!.publicKey.validFor).toEqual({ start: new Date(rotatedAt.getTime() - 750) });
    const future = await cli(['rotate', 'service', '--dir', work, '--rekor-v2', v2(oldPub), '--rotated-at', '2999-01-01T00:00:00Z']);
    expect(future).toMatchObject({ code: 1, err: 'error: INVALID_ARGUMENT: --rotated-at 2999-01-01T00:00:00.000Z is in the future' });
    expect((await cli(['rotate', 'service', '--help'])).out).toContain('--rotated-at ISO-TIME');
  });

  it('refresh prints one line and re-signs only when due (or forced)', async () => {
    const kept = await cli(['refresh', '--dir', work]);
    expect(kept.code).toBe(0);
    expect(kept.out).toMatch(/^OK timestamp v\d+ kept until \S+; snapshot v\d+ kept until/);
    const forced = await cli(['refresh', '--dir', work, '--force']);
    expect(forced.out).toMatch(/^OK timestamp v\d+ re-signed until \S+; snapshot v\d+ re-signed/);
    const later = await cli(['refresh', '--dir', work], { now: () => new Date(Date.now() + 200 * 86_400_000) });
    expect(later.code).toBe(2);
    expect(later.out).toMatch(/^WARN targets expire\(s\) before the next refresh/);
  });

  it('needs a password for encrypted keys', async () => {
    const run = await cli(['refresh', '--dir', work], { env: {} });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: PASSWORD_REQUIRED: /);
    const wrong = await cli(['refresh', '--dir', work], { env: { SIGSTACK_TUF_PASSWORD: 'nope' } });
    expect(wrong.err).toMatch(/^error: KEY_FILE: wrong password/);
  });

  it('a ceremony creates root v1 from public keys only, keys on separate files', async () => {
    const dir = await tempDir('sigstack-tuf-ceremony-');
    const devices = await tempDir('sigstack-tuf-devices-');
    const key = (name: string) => generateKeyFile({ dir: devices, name, password: PASSWORD.SIGSTACK_TUF_PASSWORD, scryptN: 32768 });
    const [alice, bob, targets, online] = [await key('alice'), await key('bob'), await key('targets'), await key('online')];
    const propose = await cli(['root', 'propose', '--dir', dir, '--root-pub', alice.publicKeyFile, '--root-pub', bob.publicKeyFile, '--root-threshold', '2',
      '--targets-pub', targets.publicKeyFile, '--online-pub', online.publicKeyFile]);
    expect(propose.out).toMatch(/^proposed root v1: 0\/2 new-root signatures;/);
    expect((await cli(['root', 'sign', '--dir', dir, '--key', targets.keyFile])).err).toMatch(/^error: KEY_NOT_IN_ROLE: /);
    await cli(['root', 'sign', '--dir', dir, '--key', alice.keyFile]);
    expect((await cli(['root', 'publish', '--dir', dir, '--targets-key', targets.keyFile, '--online-key', online.keyFile])).err).toMatch(/THRESHOLD_NOT_MET/);
    await cli(['root', 'sign', '--dir', dir, '--key', bob.keyFile]);
    const trustedRoot = sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json');
    const publish = await cli(['root', 'publish', '--dir', dir, '--targets-key', targets.keyFile, '--online-key', online.keyFile, '--trusted-root', trustedRoot]);
    expect(publish).toMatchObject({ code: 0, out: 'published root v1; timestamp v1' });
    const extra = path.join(devices, 'notes.txt');
    await writeFile(extra, 'hello');
    const add = await cli(['add', '--dir', dir, '--target', `notes.txt=${extra}`, '--targets-key', targets.keyFile, '--online-key', online.keyFile]);
    expect(add.out).toMatch(/^updated targets v2: \[notes\.txt, trusted_root\.json\]; timestamp v2/);
    const verified = await cli(['verify', '--repo', path.join(dir, 'repository'), '--root', path.join(dir, 'repository', '1.root.json')]);
    expect(verified.out).toContain('notes.txt 5 bytes');
    expect(verified.out).toContain('tlog https://log2025-1.rekor.sigstore.dev');
  });

  it.each(['init', 'root', 'add', 'rotate', 'refresh', 'verify', 'serve'])('%s --help', async (name) => {
    const run = await cli([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(new RegExp(`^sigstack-tuf ${name}`));
  });

  it('rejects unknown commands and options with one line', async () => {
    expect((await cli(['frobnicate'])).err).toMatch(/^error: unknown command/);
    const bad = await cli(['verify', '--bogus']);
    expect(bad.code).toBe(1);
    expect(bad.err.split('\n')).toHaveLength(1);
    expect((await cli(['--help'])).out).toMatch(/refresh/);
  });
});
