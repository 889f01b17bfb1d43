import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrustedRoot as PbTrustedRoot } from '@sigstore/protobuf-specs';
import { bundleFromJSON as officialBundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { runCli as runTuf, serveRepository } from '@sigstack/scaffolding';
import { workspaceRoot } from '@sigstack/testing';
import { sign as sigstoreSign } from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, testEnv, type Ran } from './helpers.js';
import { startKeylessStack, type KeylessStack } from './stack.js';

// Keyless signing with the built OIDC provider (a GitHub Actions workload token), Fulcio with
// its CT log, Rekor and the TSA; interop with sigstore-js and @sigstore/cli both ways.
describe('keyless sign-blob against local OIDC, Fulcio, CT log, Rekor and TSA', () => {
  let stack: KeylessStack;
  let dir: string;
  let env: Record<string, string>;
  let token: string;
  let issuer: string;
  let identity: string;
  const START = 'start-time=2020-01-01T00:00:00Z';
  const cli = (argv: string[]): Promise<Ran> => runCli(argv, { env, cwd: dir });

  beforeAll(async () => {
    stack = await startKeylessStack();
    dir = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-keyless-'));
    env = testEnv();
    const tsaUrl = `${stack.tsa.url}/api/v1/timestamp`;
    const r = stack.rekor.url;
    const root = await cli([
      'trusted-root', 'create',
      '--fulcio', `url=${stack.fulcio.url},certificate-chain=${stack.fulcioChain}`,
      '--ctfe', `url=${stack.ctlog.url},public-key=${stack.ctlogPub},${START}`,
      '--rekor', `url=${r},public-key=${stack.rekorV1Pub},${START}`,
      '--rekor', `url=${r},public-key=${stack.rekorV2Pub},${START},origin=${stack.rekorV2Origin}`,
      '--tsa', `url=${tsaUrl},certificate-chain=${stack.tsaChain}`,
      '--out', 'trusted_root.json',
    ]);
    expect(root.code, root.stderr).toBe(0);
    const service = (url: string, v: number) => `url=${url},api-version=${v},${START},operator=local`;
    for (const [name, v] of [['v1.json', 1], ['v2.json', 2]] as const) {
      const sc = await cli(['signing-config', 'create', '--fulcio', service(stack.fulcio.url, 1), '--oidc-provider', service(stack.oidc.url, 1), '--rekor', service(r, v), '--rekor-config', 'ANY', '--tsa', service(tsaUrl, 1), '--tsa-config', 'ANY', '--out', name]);
      expect(sc.code, sc.stderr).toBe(0);
    }
    writeFileSync(path.join(dir, 'artifact.txt'), randomBytes(100));
    token = await stack.workloadToken();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    issuer = claims.iss;
    identity = `https://github.com/${claims.job_workflow_ref}`;
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const verifyArgs = (bundle: string, file = 'artifact.txt') => ['verify-blob', '--bundle', bundle, '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--trusted-root', 'trusted_root.json', file];

  for (const log of ['v1', 'v2'] as const) {
    it(`Rekor ${log}: sign-blob --identity-token, then verify-blob with the identity pinned`, async () => {
      const bundle = `keyless-${log}.sigstore.json`;
      const signed = await cli(['sign-blob', '--identity-token', token, '--signing-config', `${log}.json`, '--trusted-root', 'trusted_root.json', '--bundle', bundle, '--output-certificate', `${log}.crt`, '--yes', 'artifact.txt']);
      expect(signed.code, signed.stderr).toBe(0);
      expect(readFileSync(path.join(dir, `${log}.crt`), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

      const inspect = await cli(['bundle', 'inspect', bundle]);
      expect(inspect.code).toBe(0);
      expect(JSON.parse(inspect.stdout).signer).toMatchObject({ kind: 'certificate', subjectAlternativeNames: [identity], issuer });

      const ok = await cli(verifyArgs(bundle));
      expect(ok.code, ok.stderr).toBe(0);
      const regexp = await cli(['verify-blob', '--bundle', bundle, '--certificate-identity-regexp', 'https://github\\.com/.*', '--certificate-oidc-issuer-regexp', '.*/workloads/.*', '--certificate-github-workflow-repository', 'sigstack-dev/example', '--trusted-root', 'trusted_root.json', 'artifact.txt']);
      expect(regexp.code, regexp.stderr).toBe(0);

      const wrongId = await cli(['verify-blob', '--bundle', bundle, '--certificate-identity', 'someone@example.com', '--certificate-oidc-issuer', issuer, '--trusted-root', 'trusted_root.json', 'artifact.txt']);
      expect(wrongId.code).toBe(1);
      expect(wrongId.stderr).toMatch(/^Error: IDENTITY_MISMATCH: /);
      const wrongIssuer = await cli(['verify-blob', '--bundle', bundle, '--certificate-identity', identity, '--certificate-oidc-issuer', 'https://accounts.example.com', '--trusted-root', 'trusted_root.json', 'artifact.txt']);
      expect(wrongIssuer.stderr).toMatch(/^Error: ISSUER_MISMATCH: /);
      const wrongRepo = await cli([...verifyArgs(bundle).slice(0, -1), '--certificate-github-workflow-repository', 'other/repo', 'artifact.txt']);
      expect(wrongRepo.stderr).toMatch(/^Error: EXTENSION_MISMATCH: /);

      officialVerify(JSON.parse(readFileSync(path.join(dir, bundle), 'utf8')), readFileSync(path.join(dir, 'artifact.txt')));
    });
  }

  it('keyless attest-blob and verify-blob-attestation', async () => {
    writeFileSync(path.join(dir, 'provenance.json'), JSON.stringify({ buildType: 'https://example.com/build@v1', builder: { id: 'local' } }));
    // The token comes from the GitHub Actions token-request variables, as on a runner.
    const actions = {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${stack.oidc.url}/actions/id-token/github-actions?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'sigstack-cli-test-workload-secret',
    };
    const signed = await runCli(['attest-blob', '--predicate', 'provenance.json', '--type', 'slsaprovenance', '--signing-config', 'v1.json', '--trusted-root', 'trusted_root.json', '--bundle', 'att.sigstore.json', '--yes', 'artifact.txt'], { env: { ...env, ...actions }, cwd: dir });
    expect(signed.code, signed.stderr).toBe(0);
    const ok = await cli(['verify-blob-attestation', '--bundle', 'att.sigstore.json', '--type', 'slsaprovenance', '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--trusted-root', 'trusted_root.json', 'artifact.txt']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('the conformance entrypoint signs (message and --in-toto) and verifies its own bundles', async () => {
    const statement = path.join(dir, 'statement.json');
    const data = readFileSync(path.join(dir, 'artifact.txt'));
    writeFileSync(statement, JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'artifact.txt', digest: { sha256: createHash('sha256').update(data).digest('hex') } }], predicateType: 'https://example.com/p', predicate: {} }));
    for (const [extra, file] of [[[], 'artifact.txt'], [['--in-toto'], statement]] as const) {
      const out = path.join(dir, `conf-${extra.length}.sigstore.json`);
      const s = spawnCli('conformance-entrypoint', ['sign-bundle', ...extra, '--identity-token', token, '--bundle', out, '--trusted-root', path.join(dir, 'trusted_root.json'), '--signing-config', path.join(dir, 'v2.json'), path.resolve(dir, file)], env, dir);
      expect(s.code, s.stderr).toBe(0);
      const v = spawnCli('conformance-entrypoint', ['verify-bundle', '--bundle', out, '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--trusted-root', path.join(dir, 'trusted_root.json'), path.join(dir, 'artifact.txt')], env, dir);
      expect(v.code, v.stderr).toBe(0);
    }
  });

  it('bundles made by sigstore.sign (the official client) against the same stack verify with ours', async () => {
    const artifact = randomBytes(64);
    const bundle = await sigstoreSign(artifact, { fulcioURL: stack.fulcio.url, rekorURL: stack.rekor.url, tsaServerURL: stack.tsa.url, identityToken: token });
    writeFileSync(path.join(dir, 'official.sigstore.json'), JSON.stringify(bundle));
    writeFileSync(path.join(dir, 'official.bin'), artifact);
    const r = await cli(verifyArgs('official.sigstore.json', 'official.bin'));
    expect(r.code, r.stderr).toBe(0);
  });

  it('@sigstore/cli 0.8 verify accepts our bundle through a TUF repository of this stack', async () => {
    const tufDir = path.join(dir, 'tuf');
    const quiet = { stdout: () => undefined, stderr: () => undefined, env: { SIGSTACK_TUF_PASSWORD: 'tuf' } };
    expect(await runTuf(['init', '--dir', tufDir, '--scrypt-n', '32768', '--trusted-root', path.join(dir, 'trusted_root.json'), '--signing-config', path.join(dir, 'v1.json')], quiet)).toBe(0);
    const server = await serveRepository({ dir: path.join(tufDir, 'repository'), host: '127.0.0.1', port: 0 });
    try {
      const bin = path.join(workspaceRoot(), 'node_modules', '@sigstore', 'cli', 'bin', 'run');
      // Asynchronous: the TUF server answering @sigstore/cli runs in this process.
      const args = [bin, 'verify', path.join(dir, 'keyless-v1.sigstore.json'), '--blob-file', path.join(dir, 'artifact.txt'), '--certificate-issuer', issuer, '--certificate-identity-uri', identity, '--tuf-mirror-url', server.url, '--tuf-root-path', path.join(tufDir, 'repository', '1.root.json'), '--tuf-cache-path', mkdtempSync(path.join(tmpdir(), 'sigstack-cli-sigstore-cli-'))];
      const res = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      });
      expect(res.status, res.stderr).toBe(0);
    } finally {
      await server.close();
    }
  });

  function officialVerify(json: unknown, artifact: Buffer): void {
    const root = PbTrustedRoot.fromJSON(JSON.parse(readFileSync(path.join(dir, 'trusted_root.json'), 'utf8')));
    new Verifier(toTrustMaterial(root)).verify(toSignedEntity(officialBundleFromJSON(json), artifact), { subjectAlternativeName: identity, extensions: { issuer } });
  }
});
