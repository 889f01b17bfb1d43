// The official Sigstore clients against a stack booted from scratch, trusting it only
// through its TUF repository, with bundles crossing both ways between them and the bundled
// client; then tampered bundles, each refused by the bundled client for its own reason.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sign, verify } from 'sigstore';
import type { Bundle } from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycloneDxSbom, inTotoStatement, sha256Hex, writeArtifact } from './support/artifacts.js';
import { readBundle, tamper } from './support/bundles.js';
import { claimsOf, githubActionsEnv } from './support/ci.js';
import { initializeClient, writeRekorV1SigningConfig } from './support/client.js';
import { officialVerifyOptions, signedBy, sigstoreCli } from './support/official.js';
import { expectBundleWritten, expectRejected, expectVerified } from './support/outcome.js';
import { backends, bootStack } from './support/stack.js';
import type { Identity, Stack } from './support/stack.js';

describe.each(backends())('official clients and tampered bundles (%s)', (backend) => {
  let stack: Stack;
  let workflow: Identity;
  let artifact: Buffer;
  const bundleText = (file: string) => JSON.parse(readFileSync(path.join(stack.work, file), 'utf8')) as Bundle;
  const verifyAsWorkflow = (bundle: string, ...flags: string[]) =>
    stack.sigstack(['verify-blob', '--bundle', bundle, '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, ...flags, 'artifact.bin']);

  beforeAll(async () => {
    stack = await bootStack(backend);
    workflow = stack.info.identities.workload;
    await initializeClient(stack);
    await writeRekorV1SigningConfig(stack, 'rekor-v1.json');
    artifact = writeArtifact(stack.work, 'artifact.bin');
    writeFileSync(path.join(stack.work, 'sbom.cdx.json'), JSON.stringify(cycloneDxSbom('artifact.bin', artifact)));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  describe('the official clients, through the stack TUF repository', () => {
    it('sigstore.sign (sigstore-js 4) signs against the stack; sigstore.verify and sigstack verify-blob accept the bundle', async () => {
      const s = stack.info.services;
      const bundle = await sign(artifact, { fulcioURL: s.fulcio, rekorURL: s.rekor, tsaServerURL: s.tsa, identityToken: await stack.token('github-actions') });
      expect(bundle.verificationMaterial.tlogEntries.map((e) => e.kindVersion)).toEqual([{ kind: 'hashedrekord', version: '0.0.1' }]);
      expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);

      await expect(verify(bundle, artifact, officialVerifyOptions(stack, workflow))).resolves.toMatchObject(signedBy(workflow));
      const otherIssuer = officialVerifyOptions(stack, { ...workflow, issuer: 'https://token.actions.githubusercontent.com' });
      await expect(verify(bundle, artifact, otherIssuer)).rejects.toMatchObject({ code: 'UNTRUSTED_SIGNER_ERROR' });

      writeFileSync(path.join(stack.work, 'sigstore-js.sigstore.json'), JSON.stringify(bundle));
      expectVerified(await verifyAsWorkflow('sigstore-js.sigstore.json'));
      const wrongIssuer = await stack.sigstack(['verify-blob', '--bundle', 'sigstore-js.sigstore.json', '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', stack.info.identities.user.issuer, 'artifact.bin']);
      expectRejected(wrongIssuer, 'ISSUER_MISMATCH');
    });

    it('sigstore.verify accepts sigstack bundles: keyless and key-based, message and DSSE, Rekor v2 and v1', async () => {
      const actions = { env: { ...stack.env, ...githubActionsEnv(stack) } };
      for (const [name, extra] of [['ours-v2', []], ['ours-v1', ['--signing-config', 'rekor-v1.json']]] as const) {
        const signed = await stack.sigstack(['sign-blob', ...extra, '--bundle', `${name}.sigstore.json`, '--yes', 'artifact.bin'], actions);
        expectBundleWritten(signed, `${name}.sigstore.json`);
        const version = readBundle(stack.work, `${name}.sigstore.json`).verificationMaterial.tlogEntries[0]?.kindVersion.version;
        expect(version).toBe(name === 'ours-v2' ? '0.0.2' : '0.0.1');
        await expect(verify(bundleText(`${name}.sigstore.json`), artifact, officialVerifyOptions(stack, workflow)), name).resolves.toMatchObject(signedBy(workflow));
      }

      const attested = await stack.sigstack(['attest-blob', '--predicate', 'sbom.cdx.json', '--type', 'cyclonedx', '--bundle', 'ours-att.sigstore.json', '--yes', 'artifact.bin'], actions);
      expectBundleWritten(attested, 'ours-att.sigstore.json');
      await expect(verify(bundleText('ours-att.sigstore.json'), officialVerifyOptions(stack, workflow))).resolves.toMatchObject(signedBy(workflow));

      const keys = await stack.sigstack(['generate-key-pair'], { env: { ...stack.env, COSIGN_PASSWORD: 'e2e' } });
      expect(keys.code, keys.stderr).toBe(0);
      const keySigned = await stack.sigstack(['sign-blob', '--key', 'cosign.key', '--bundle', 'ours-key.sigstore.json', '--yes', 'artifact.bin'], { env: { ...stack.env, COSIGN_PASSWORD: 'e2e' } });
      expectBundleWritten(keySigned, 'ours-key.sigstore.json');
      const publicKey = readFileSync(path.join(stack.work, 'cosign.pub'), 'utf8');
      const { certificateIssuer: _issuer, certificateIdentityURI: _uri, ...trustOnly } = officialVerifyOptions(stack, workflow);
      const keySigner = await verify(bundleText('ours-key.sigstore.json'), artifact, { ...trustOnly, keySelector: () => publicKey });
      expect(keySigner.identity).toBeUndefined();
      expect(keySigner.key.export({ type: 'spki', format: 'pem' })).toBe(publicKey);
    });

    it('@sigstore/cli 0.8 initializes from the stack root, attests in a simulated Actions run and verifies; bundles cross both ways', async () => {
      const cache = path.join(stack.work, 'sigstore-cli-tuf');
      const init = await sigstoreCli(stack, ['initialize', '--mirror', stack.info.services.tuf, '--root', stack.info.tufRoot, '--cache-path', cache]);
      expect(init.code, init.stderr).toBe(0);
      // It caches the stack's root and verified metadata per mirror; verify then reads that cache.
      const mirrorCache = path.join(cache, encodeURIComponent(new URL(stack.info.services.tuf).host));
      expect(readFileSync(path.join(mirrorCache, 'root.json'))).toEqual(readFileSync(stack.info.tufRoot));
      const trust = ['--tuf-mirror-url', stack.info.services.tuf, '--tuf-cache-path', cache];
      const pinned = ['--certificate-issuer', workflow.issuer, '--certificate-identity-uri', workflow.identity];

      // `attest` signs a statement file as DSSE; in CI it asks the runner for the token.
      const statement = inTotoStatement('artifact.bin', artifact, 'https://cyclonedx.org/bom', cycloneDxSbom('artifact.bin', artifact));
      writeFileSync(path.join(stack.work, 'statement.json'), JSON.stringify(statement));
      const s = stack.info.services;
      const attest = await sigstoreCli(stack, ['attest', 'statement.json', '--fulcio-url', s.fulcio, '--rekor-url', s.rekor, '--tsa-server-url', s.tsa, '-o', 'sigstore-cli.sigstore.json'], { CI: 'true', ...githubActionsEnv(stack) });
      expect(attest.code, attest.stderr).toBe(0);
      expect(attest.stderr).toMatch(new RegExp(`Created entry at index \\d+, available at\\n${s.rekor}/api/v1/log/entries\\?logIndex=\\d+`));

      const own = await sigstoreCli(stack, ['verify', 'sigstore-cli.sigstore.json', ...pinned, ...trust]);
      expect(own.code, own.stderr).toBe(0);
      expect(own.stderr).toBe('Verification succeeded\n');
      expect(readdirSync(path.join(mirrorCache, 'targets'))).toContain('trusted_root.json');

      // Its attestation, verified by sigstack with the type and subject checked.
      const ours = (type: string) =>
        stack.sigstack(['verify-blob-attestation', '--bundle', 'sigstore-cli.sigstore.json', '--type', type, '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, 'artifact.bin']);
      expectVerified(await ours('cyclonedx'));
      expectRejected(await ours('spdxjson'), 'PREDICATE_TYPE_MISMATCH');

      // sigstack's bundles, verified by @sigstore/cli. Its bundled sigstore-js 3 reads no
      // Rekor v2 entries (it looks a checkpoint key up by the entry's integrated time, which
      // v2 entries do not have), so these are the Rekor v1 ones.
      const actions = { env: { ...stack.env, ...githubActionsEnv(stack) } };
      expectBundleWritten(await stack.sigstack(['sign-blob', '--signing-config', 'rekor-v1.json', '--bundle', 'for-cli-v1.sigstore.json', '--yes', 'artifact.bin'], actions), 'for-cli-v1.sigstore.json');
      const attestV1 = ['attest-blob', '--signing-config', 'rekor-v1.json', '--predicate', 'sbom.cdx.json', '--type', 'cyclonedx', '--bundle', 'for-cli-att-v1.sigstore.json', '--yes', 'artifact.bin'];
      expectBundleWritten(await stack.sigstack(attestV1, actions), 'for-cli-att-v1.sigstore.json');
      for (const [bundle, blob] of [['for-cli-v1.sigstore.json', ['--blob-file', 'artifact.bin']], ['for-cli-att-v1.sigstore.json', []]] as const) {
        const checked = await sigstoreCli(stack, ['verify', bundle, ...blob, ...pinned, ...trust]);
        expect(checked.code, `${bundle}: ${checked.stderr}`).toBe(0);
        expect(checked.stderr).toBe('Verification succeeded\n');
      }
      const wrongIssuer = await sigstoreCli(stack, ['verify', 'for-cli-v1.sigstore.json', '--blob-file', 'artifact.bin', '--certificate-issuer', stack.info.identities.user.issuer, '--certificate-identity-uri', workflow.identity, ...trust]);
      expect(wrongIssuer.code).not.toBe(0);
      expect(wrongIssuer.stderr).toMatch(/UNTRUSTED_SIGNER_ERROR/);
    });
  });

  describe('tampered bundles', () => {
    let gitlab: { identity: string; issuer: string };
    let index: number;

    beforeAll(async () => {
      // Two genuine bundles of this stack, the GitLab one first: its certificate is then
      // still valid when the workflow signs, so swapping it in fails only for the swap.
      const token = await stack.token('gitlab-ci');
      const claims = claimsOf(token);
      gitlab = { identity: `https://${String(claims['ci_config_ref_uri'])}`, issuer: String(claims['iss']) };
      expectBundleWritten(await stack.sigstack(['sign-blob', '--identity-token', token, '--bundle', 'gitlab.sigstore.json', '--yes', 'artifact.bin']), 'gitlab.sigstore.json');
      expectBundleWritten(await stack.sigstack(['sign-blob', '--identity-token', await stack.token('github-actions'), '--bundle', 'genuine.sigstore.json', '--yes', 'artifact.bin']), 'genuine.sigstore.json');
      expectVerified(await verifyAsWorkflow('genuine.sigstore.json'));
      const gitlabAlone = await stack.sigstack(['verify-blob', '--bundle', 'gitlab.sigstore.json', '--certificate-identity', gitlab.identity, '--certificate-oidc-issuer', gitlab.issuer, 'artifact.bin']);
      expectVerified(gitlabAlone);
      const entry = readBundle(stack.work, 'genuine.sigstore.json').verificationMaterial.tlogEntries[0]!;
      expect(entry.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.2' });
      index = Number(entry.logIndex);
      expect(index).toBeGreaterThan(0);
    });

    it('a changed artifact', async () => {
      writeFileSync(path.join(stack.work, 'changed.bin'), Buffer.concat([artifact, Buffer.from('\n')]));
      const changed = await stack.sigstack(['verify-blob', '--bundle', 'genuine.sigstore.json', '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, 'changed.bin']);
      expectRejected(changed, 'DIGEST_MISMATCH', new RegExp(`is not the signed digest ${sha256Hex(artifact)}`));
      // The same bundle and digest given as sha256:<hex> of the changed file: the same refusal.
      const digest = `sha256:${sha256Hex(readFileSync(path.join(stack.work, 'changed.bin')))}`;
      const byDigest = await stack.sigstack(['verify-blob', '--bundle', 'genuine.sigstore.json', '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, digest]);
      expectRejected(byDigest, 'DIGEST_MISMATCH');
    });

    it('a certificate swapped for another valid certificate of the stack', async () => {
      const gitlabCert = readBundle(stack.work, 'gitlab.sigstore.json').verificationMaterial.certificate;
      tamper(stack.work, 'genuine.sigstore.json', 'swapped-cert.sigstore.json', (b) => (b.verificationMaterial.certificate = gitlabCert));
      // Policy for the swapped-in certificate's own identity, so only the swap can fail.
      const verifySwapped = (bundle: string, ...flags: string[]) =>
        stack.sigstack(['verify-blob', '--bundle', bundle, '--certificate-identity', gitlab.identity, '--certificate-oidc-issuer', gitlab.issuer, ...flags, 'artifact.bin']);
      // The log entry recorded the real certificate.
      expectRejected(await verifySwapped('swapped-cert.sigstore.json'), 'TLOG_BODY_MISMATCH', /x509Certificate.*certificate does not match the bundle/);
      // Without a log entry to compare, the signature itself gives the swap away.
      tamper(stack.work, 'swapped-cert.sigstore.json', 'swapped-cert-no-log.sigstore.json', (b) => (b.verificationMaterial.tlogEntries = []));
      expectRejected(await verifySwapped('swapped-cert-no-log.sigstore.json', '--insecure-ignore-tlog'), 'SIGNATURE_INVALID', /does not verify with the signing key/);
    });

    it('a log entry stripped from the bundle, or never made', async () => {
      tamper(stack.work, 'genuine.sigstore.json', 'stripped.sigstore.json', (b) => (b.verificationMaterial.tlogEntries = []));
      expectRejected(await verifyAsWorkflow('stripped.sigstore.json'), 'TLOG_ENTRY_MISSING', /expected 1 verified transparency log entry/);

      const unlogged = await stack.sigstack(['sign-blob', '--identity-token', await stack.token('github-actions'), '--tlog-upload=false', '--bundle', 'unlogged.sigstore.json', '--yes', 'artifact.bin']);
      expectBundleWritten(unlogged, 'unlogged.sigstore.json');
      expect(readBundle(stack.work, 'unlogged.sigstore.json').verificationMaterial.tlogEntries).toEqual([]);
      expectRejected(await verifyAsWorkflow('unlogged.sigstore.json'), 'TLOG_ENTRY_MISSING');
    });

    it('a log entry of the log that records another signature', async () => {
      const other = readBundle(stack.work, 'gitlab.sigstore.json').verificationMaterial.tlogEntries;
      tamper(stack.work, 'genuine.sigstore.json', 'other-entry.sigstore.json', (b) => (b.verificationMaterial.tlogEntries = other));
      expectRejected(await verifyAsWorkflow('other-entry.sigstore.json'), 'TLOG_BODY_MISMATCH');
    });

    it('an inclusion proof pointing at another index of the log, past its end, or altered', async () => {
      tamper(stack.work, 'genuine.sigstore.json', 'moved.sigstore.json', (b) => {
        const entry = b.verificationMaterial.tlogEntries[0]!;
        entry.logIndex = entry.inclusionProof!.logIndex = String(index - 1);
      });
      // The proof for our leaf cannot hold at another index (too short or to another root, as the shapes fall).
      expectRejected(await verifyAsWorkflow('moved.sigstore.json'), 'INCLUSION_PROOF_INVALID', /tlog entry 0: inclusion proof /);

      tamper(stack.work, 'genuine.sigstore.json', 'past-end.sigstore.json', (b) => {
        const entry = b.verificationMaterial.tlogEntries[0]!;
        entry.logIndex = entry.inclusionProof!.logIndex = '999999';
        entry.inclusionProof!.treeSize = '1000000';
      });
      expectRejected(await verifyAsWorkflow('past-end.sigstore.json'), 'INCLUSION_PROOF_INVALID', /tlog entry 0: inclusion proof /);

      tamper(stack.work, 'genuine.sigstore.json', 'altered-proof.sigstore.json', (b) => {
        const proof = b.verificationMaterial.tlogEntries[0]!.inclusionProof!;
        proof.hashes = proof.hashes.map(() => Buffer.alloc(32, 7).toString('base64'));
      });
      expectRejected(await verifyAsWorkflow('altered-proof.sigstore.json'), 'INCLUSION_PROOF_INVALID', /does not lead to the expected root/);
    });
  });
});
