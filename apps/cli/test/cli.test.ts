import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceCase, sharedTestdata } from '@sigstack/testing';
import { parseFlags } from '../src/args.js';
import { COMMANDS } from '../src/cli.js';
import { EXIT_CODES } from '../src/errors.js';
import { runCli, spawnCli } from './helpers.js';

const targets = (f: string) => sharedTestdata('public-good-tuf', 'targets', f);
const happy = conformanceCase('happy-path-v0.3');

describe('the command line', () => {
  it('lists every command in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
  });

  it.each([
    [['frobnicate'], EXIT_CODES.USAGE, 'unknown command'],
    [['verify-blob', '--no-such-flag', 'x'], EXIT_CODES.USAGE, 'no-such-flag'],
    [['verify-blob', '--bundle', 'b.json'], EXIT_CODES.USAGE, 'expected FILE'],
    [['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--trusted-root', targets('trusted_root.json'), '--certificate-oidc-issuer', happy.issuer, 'x'], EXIT_CODES.USAGE, '--certificate-identity or --certificate-identity-regexp is required'],
    [['verify-blob', '--bundle', '/nonexistent/b.json', '--key', '/nonexistent/k.pub', 'x'], EXIT_CODES.INPUT, 'cannot read public key'],
    [['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--certificate-identity', happy.identity, '--certificate-oidc-issuer', happy.issuer, '--offline', sharedTestdata('conformance', 'a.txt')], EXIT_CODES.TRUST, 'pass --trusted-root FILE'],
    [['trusted-root', 'create', '--rekor', 'url=https://x'], EXIT_CODES.USAGE, 'missing public-key'],
    [['dev-token', '--state', '/nonexistent/state'], EXIT_CODES.SERVICE, 'start the stack first'],
    [['signing-config', 'create', '--rekor', 'url=https://x,api-version=1,start-time=2020-01-01T00:00:00Z,operator=o'], EXIT_CODES.USAGE, '--rekor needs --rekor-config'],
  ])('%j exits %i with one line', async (argv, code, text) => {
    const r = await runCli(argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^Error: [^\n]+\n$/);
    expect(r.stderr).toContain(text);
  });

  it('reads cosign spellings: --flag=value, --bool=false, -y', () => {
    const p = parseFlags('t', ['--key=k.pem', '--tlog-upload=false', '-y', 'file'], {
      key: { type: 'string' },
      'tlog-upload': { type: 'boolean', default: true },
      yes: { type: 'boolean', short: 'y' },
    });
    expect(p.strings.get('key')).toEqual(['k.pem']);
    expect(p.booleans.get('tlog-upload')).toBe(false);
    expect(p.booleans.get('yes')).toBe(true);
    expect(p.positionals).toEqual(['file']);
  });

  it('verify-blob accepts a public bundle with the public-good root and says Verified OK', async () => {
    const r = await runCli(['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--certificate-identity', happy.identity, '--certificate-oidc-issuer', happy.issuer, '--trusted-root', targets('trusted_root.json'), sharedTestdata('conformance', 'a.txt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('Verified OK\n');
  });

  it('matches identity and issuer regexps against the whole value', async () => {
    const verify = (identity: string, issuer: string) =>
      runCli(['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--certificate-identity-regexp', identity, '--certificate-oidc-issuer-regexp', issuer, '--trusted-root', targets('trusted_root.json'), sharedTestdata('conformance', 'a.txt')]);
    expect((await verify('https://github\\.com/sigstore-conformance/.*', 'https://token\\.actions\\.githubusercontent\\.com')).code).toBe(0);
    const partial = await verify('github\\.com/sigstore-conformance', 'https://token\\.actions\\.githubusercontent\\.com');
    expect(partial.code).toBe(EXIT_CODES.VERIFICATION_FAILED);
    expect(partial.stderr).toContain('IDENTITY_MISMATCH');
    expect((await verify('https://github\\.com/.*', 'githubusercontent')).stderr).toContain('ISSUER_MISMATCH');
  });

  it('the built binary runs and fails with one line, no stack trace', () => {
    const r = spawnCli('bin/sigstack.mjs', ['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--certificate-identity', 'nobody@example.com', '--certificate-oidc-issuer', happy.issuer, '--trusted-root', targets('trusted_root.json'), sharedTestdata('conformance', 'a.txt')]);
    expect(r.code).toBe(EXIT_CODES.VERIFICATION_FAILED);
    expect(r.stderr).toMatch(/^Error: IDENTITY_MISMATCH: [^\n]+\n$/);
  });
});

describe('trusted-root create and signing-config create', () => {
  it('rebuilds a trusted root from the public-good keys and chains that verifies a public bundle', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-tr-'));
    const chain = path.join(dir, 'fulcio-chain.pem');
    writeFileSync(chain, `${readFileSync(targets('fulcio_intermediate_v1.crt.pem'), 'utf8').trim()}\n${readFileSync(targets('fulcio_v1.crt.pem'), 'utf8').trim()}\n`);
    const created = await runCli([
      'trusted-root', 'create',
      '--fulcio', `url=https://fulcio.sigstore.dev,certificate-chain=${chain},start-time=2022-04-13T20:06:15Z`,
      '--rekor', `url=https://rekor.sigstore.dev,public-key=${targets('rekor.pub')},start-time=2021-01-12T11:53:27Z`,
      '--ctfe', `url=https://ctfe.sigstore.dev/2022,public-key=${targets('ctfe_2022.pub')},start-time=2022-10-20T00:00:00Z`,
      '--out', path.join(dir, 'root.json'),
    ]);
    expect(created.code, created.stderr).toBe(0);
    const root = JSON.parse(readFileSync(path.join(dir, 'root.json'), 'utf8'));
    const official = JSON.parse(readFileSync(targets('trusted_root.json'), 'utf8'));
    // The log id is computed as the public root states it.
    expect(root.tlogs[0].logId).toEqual(official.tlogs[0].logId);
    const r = await runCli(['verify-blob', '--bundle', path.join(happy.dir, 'bundle.sigstore.json'), '--certificate-identity', happy.identity, '--certificate-oidc-issuer', happy.issuer, '--trusted-root', path.join(dir, 'root.json'), sharedTestdata('conformance', 'a.txt')]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('writes a signing config that keeps a base config and replaces the services given', async () => {
    const r = await runCli(['signing-config', 'create', '--base-config', targets('signing_config.v0.2.json'), '--tsa', 'url=https://tsa.example/api/v1/timestamp,api-version=1,start-time=2025-01-01T00:00:00Z,operator=example', '--tsa-config', 'EXACT:1']);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config.caUrls[0].url).toBe('https://fulcio.sigstore.dev');
    expect(config.tsaUrls).toEqual([{ url: 'https://tsa.example/api/v1/timestamp', majorApiVersion: 1, validFor: { start: '2025-01-01T00:00:00Z' }, operator: 'example' }]);
    expect(config.tsaConfig).toEqual({ selector: 'EXACT', count: 1 });
  });
});
