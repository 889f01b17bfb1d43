import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrustedRoot as PbTrustedRoot } from '@sigstore/protobuf-specs';
import { bundleFromJSON as officialBundleFromJSON, bundleToJSON as officialBundleToJSON } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder, RekorWitness, TSAWitness, type Signer } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { decryptPrivateKey, exportPublicKey, importPublicKey, sign } from '@sigstack/crypto';
import { runCli as runTuf, serveRepository } from '@sigstack/scaffolding';
import { verify as sigstoreVerify } from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, testEnv, type Ran } from './helpers.js';
import { startKeyStack, type KeyStack } from './stack.js';

// Key-based signing against the built Rekor (v1 and v2 logs) and TSA, with trust files made by
// `trusted-root create` and `signing-config create`; interop both ways with sigstore-js.
describe('sign-blob --key against a local Rekor and TSA', () => {
  let stack: KeyStack;
  let dir: string;
  let env: Record<string, string>;
  let tsaUrl: string;
  const START = 'start-time=2020-01-01T00:00:00Z';
  const cli = (argv: string[], extra: Record<string, string> = {}): Promise<Ran> => runCli(argv, { env: { ...env, ...extra }, cwd: dir });

  beforeAll(async () => {
    stack = await startKeyStack();
    dir = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-sign-'));
    env = testEnv({ COSIGN_PASSWORD: 'correct horse' });
    tsaUrl = `${stack.tsa.url}/api/v1/timestamp`;
    const r = stack.rekor.url;
    expect(
      (await cli(['trusted-root', 'create', '--rekor', `url=${r},public-key=${stack.rekorV1Pub},${START}`, '--rekor', `url=${r},public-key=${stack.rekorV2Pub},${START},origin=${stack.rekorV2Origin}`, '--tsa', `url=${tsaUrl},certificate-chain=${stack.tsaChain}`, '--out', 'trusted_root.json'])).code,
    ).toBe(0);
    const service = (url: string, v: number) => `url=${url},api-version=${v},${START},operator=local`;
    expect((await cli(['signing-config', 'create', '--rekor', service(r, 1), '--rekor-config', 'ANY', '--tsa', service(tsaUrl, 1), '--tsa-config', 'ANY', '--out', 'v1.json'])).code).toBe(0);
    expect((await cli(['signing-config', 'create', '--rekor', service(r, 2), '--rekor-config', 'ANY', '--tsa', service(tsaUrl, 1), '--tsa-config', 'ANY', '--out', 'v2.json'])).code).toBe(0);
    expect((await cli(['generate-key-pair'])).code).toBe(0);
    writeFileSync(path.join(dir, 'artifact.txt'), randomBytes(100));
    writeFileSync(path.join(dir, 'other.txt'), 'not what was signed');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('generate-key-pair writes an encrypted cosign key and its public key', async () => {
    const pem = readFileSync(path.join(dir, 'cosign.key'), 'utf8');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
    const key = await decryptPrivateKey(pem, 'correct horse');
    expect(exportPublicKey(key.publicKey, 'pem')).toBe(readFileSync(path.join(dir, 'cosign.pub'), 'utf8'));
    const again = await runCli(['generate-key-pair', '--output-key-prefix', 'other'], { env: testEnv(), cwd: dir });
    expect(again.code).toBe(7); // NO_TERMINAL: no COSIGN_PASSWORD and nobody to ask
  });

  for (const log of ['v1', 'v2'] as const) {
    it(`Rekor ${log} + TSA: sign-blob writes a bundle that verify-blob accepts, and rejects for another artifact`, async () => {
      const bundle = `key-${log}.sigstore.json`;
      const signed = await cli(['sign-blob', '--key', 'cosign.key', '--signing-config', `${log}.json`, '--trusted-root', 'trusted_root.json', '--bundle', bundle, '--output-signature', `${log}.sig`, '--yes', 'artifact.txt']);
      expect(signed.code, signed.stderr).toBe(0);
      const json = JSON.parse(readFileSync(path.join(dir, bundle), 'utf8'));
      expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(json.verificationMaterial.tlogEntries[0].kindVersion).toEqual({ kind: 'hashedrekord', version: log === 'v1' ? '0.0.1' : '0.0.2' });
      expect(json.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);

      const ok = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', bundle, '--trusted-root', 'trusted_root.json', 'artifact.txt']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toBe('Verified OK\n');

      writeFileSync(path.join(dir, 'other.txt'), 'not what was signed');
      const bad = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', bundle, '--trusted-root', 'trusted_root.json', 'other.txt']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^Error: [A-Z_]+: .+\n$/);

      // The official verifier agrees.
      officialVerify(json, readFileSync(path.join(dir, 'artifact.txt')));
    });
  }

  it('a v0.1 bundle with only a signed entry timestamp: --offline accepts it, online the proof is fetched from Rekor', async () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'key-v1.sigstore.json'), 'utf8'));
    json.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
    delete json.verificationMaterial.tlogEntries[0].inclusionProof;
    delete json.verificationMaterial.timestampVerificationData;
    writeFileSync(path.join(dir, 'set-only.json'), JSON.stringify(json));
    const args = ['verify-blob', '--key', 'cosign.pub', '--bundle', 'set-only.json', '--trusted-root', 'trusted_root.json', 'artifact.txt'];
    for (const extra of [['--offline'], []]) {
      const r = await cli([...args.slice(0, -1), ...extra, 'artifact.txt']);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it("cosign 2's own bundle format is read too (converted; the proof fetched online)", async () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'key-v1.sigstore.json'), 'utf8'));
    const entry = json.verificationMaterial.tlogEntries[0];
    const legacy = {
      base64Signature: json.messageSignature.signature,
      cert: '',
      rekorBundle: {
        SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
        Payload: { body: entry.canonicalizedBody, integratedTime: Number(entry.integratedTime), logIndex: Number(entry.logIndex), logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex') },
      },
    };
    writeFileSync(path.join(dir, 'cosign2.bundle'), JSON.stringify(legacy));
    for (const extra of [['--offline'], []]) {
      const r = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', 'cosign2.bundle', '--trusted-root', 'trusted_root.json', ...extra, 'artifact.txt']);
      expect(r.code, r.stderr).toBe(0);
    }
    const bad = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', 'cosign2.bundle', '--trusted-root', 'trusted_root.json', 'other.txt']);
    expect(bad.code).toBe(1);
  });

  it('refuses to upload without --yes when there is no terminal to ask', async () => {
    const r = await cli(['sign-blob', '--key', 'cosign.key', '--signing-config', 'v1.json', '--bundle', 'x.json', 'artifact.txt']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('--yes');
  });

  it('a bundle made by @sigstore/sign against the same Rekor and TSA verifies with ours', async () => {
    const key = await decryptPrivateKey(readFileSync(path.join(dir, 'cosign.key'), 'utf8'), 'correct horse');
    const signer: Signer = {
      sign: async (data) => ({ signature: Buffer.from(sign(key, data)), key: { $case: 'publicKey', publicKey: exportPublicKey(key.publicKey, 'pem'), hint: 'cosign' } }),
    };
    const artifact = randomBytes(80);
    const builder = new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: stack.rekor.url }), new TSAWitness({ tsaBaseURL: stack.tsa.url })] });
    const official = await builder.create({ data: artifact });
    writeFileSync(path.join(dir, 'official.sigstore.json'), JSON.stringify(officialBundleToJSON(official)));
    writeFileSync(path.join(dir, 'official.bin'), artifact);
    const r = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', 'official.sigstore.json', '--trusted-root', 'trusted_root.json', 'official.bin']);
    expect(r.code, r.stderr).toBe(0);
  });

  for (const log of ['v1', 'v2'] as const) {
    it(`Rekor ${log}: attest-blob and verify-blob-attestation (predicate type and subject checked)`, async () => {
      writeFileSync(path.join(dir, 'sbom.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }));
      const bundle = `att-${log}.sigstore.json`;
      const signed = await cli(['attest-blob', '--key', 'cosign.key', '--predicate', 'sbom.json', '--type', 'cyclonedx', '--signing-config', `${log}.json`, '--trusted-root', 'trusted_root.json', '--bundle', bundle, '--yes', 'artifact.txt']);
      expect(signed.code, signed.stderr).toBe(0);
      const json = JSON.parse(readFileSync(path.join(dir, bundle), 'utf8'));
      expect(json.verificationMaterial.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: log === 'v1' ? '0.0.1' : '0.0.2' });
      const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString('utf8'));
      expect(statement.predicateType).toBe('https://cyclonedx.org/bom');

      const verify = (extra: string[], file = 'artifact.txt') => cli(['verify-blob-attestation', '--key', 'cosign.pub', '--bundle', bundle, '--trusted-root', 'trusted_root.json', ...extra, file]);
      const ok = await verify(['--type', 'cyclonedx']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toBe('Verified OK\n');
      const wrongType = await verify(['--type', 'spdxjson']);
      expect(wrongType.code).toBe(1);
      expect(wrongType.stderr).toContain('PREDICATE_TYPE_MISMATCH');
      const wrongBlob = await verify(['--type', 'cyclonedx'], 'other.txt');
      expect(wrongBlob.code).toBe(1);
      expect(wrongBlob.stderr).toContain('DIGEST_MISMATCH');
      officialVerify(json, undefined);
    });
  }

  it('initialize from a TUF repository: sign-blob and verify-blob then need no trust files, and sigstore-js reads the same repository', async () => {
    const tufDir = path.join(dir, 'tuf');
    const quiet = { stdout: () => undefined, stderr: () => undefined, env: { SIGSTACK_TUF_PASSWORD: 'tuf' } };
    const init = await runTuf(['init', '--dir', tufDir, '--scrypt-n', '32768', '--trusted-root', path.join(dir, 'trusted_root.json'), '--signing-config', path.join(dir, 'v1.json')], quiet);
    expect(init).toBe(0);
    const server = await serveRepository({ dir: path.join(tufDir, 'repository'), host: '127.0.0.1', port: 0 });
    try {
      const rootPath = path.join(tufDir, 'repository', '1.root.json');
      const initialized = await cli(['initialize', '--mirror', server.url, '--root', rootPath]);
      expect(initialized.code, initialized.stderr).toBe(0);
      const signed = await cli(['sign-blob', '--key', 'cosign.key', '--bundle', 'tuf.sigstore.json', '--yes', 'artifact.txt']);
      expect(signed.code, signed.stderr).toBe(0);
      for (const extra of [[], ['--offline']]) {
        const ok = await cli(['verify-blob', '--key', 'cosign.pub', '--bundle', 'tuf.sigstore.json', ...extra, 'artifact.txt']);
        expect(ok.code, ok.stderr).toBe(0);
      }
      // Another home never initialised has no cached root: offline it says so in one line.
      const fresh = await runCli(['verify-blob', '--key', 'cosign.pub', '--bundle', 'tuf.sigstore.json', '--offline', 'artifact.txt'], { env: testEnv(), cwd: dir });
      expect(fresh.code).toBe(4);
      expect(fresh.stderr).toContain('--trusted-root');

      const pub = readFileSync(path.join(dir, 'cosign.pub'), 'utf8');
      await sigstoreVerify(JSON.parse(readFileSync(path.join(dir, 'tuf.sigstore.json'), 'utf8')), readFileSync(path.join(dir, 'artifact.txt')), {
        tufMirrorURL: server.url,
        tufRootPath: rootPath,
        tufCachePath: mkdtempSync(path.join(tmpdir(), 'sigstack-cli-sigstore-js-')),
        keySelector: () => pub,
      });
    } finally {
      await server.close();
    }
  });

  function officialVerify(json: unknown, artifact: Buffer | undefined): void {
    const root = PbTrustedRoot.fromJSON(JSON.parse(readFileSync(path.join(dir, 'trusted_root.json'), 'utf8')));
    const pub = importPublicKey(readFileSync(path.join(dir, 'cosign.pub'), 'utf8'));
    const keys = () => ({ publicKey: pub.keyObject, validFor: () => true });
    const verifier = new Verifier(toTrustMaterial(root, keys));
    verifier.verify(toSignedEntity(officialBundleFromJSON(json), artifact), {});
  }
});
