// Key-based signing and SBOM attestations with the bundled client, against a stack booted
// from scratch: the client learns the services and the trust root from the stack's TUF
// repository (`sigstack initialize`), as a user of a private deployment would.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycloneDxSbom, sha256Hex, writeArtifact } from './support/artifacts.js';
import { readBundle, statementOf } from './support/bundles.js';
import { initializeClient } from './support/client.js';
import { expectOneLineError, expectBundleWritten, expectRejected, expectVerified } from './support/outcome.js';
import { backends, bootStack } from './support/stack.js';
import type { Stack } from './support/stack.js';

describe.each(backends())('keys and attestations (%s)', (backend) => {
  let stack: Stack;
  let artifact: Buffer;
  const withPassword = (password: string) => ({ env: { ...stack.env, COSIGN_PASSWORD: password } });

  beforeAll(async () => {
    stack = await bootStack(backend);
    await initializeClient(stack);
    artifact = writeArtifact(stack.work, 'artifact.tgz');
    writeArtifact(stack.work, 'other.tgz');
    const made = await stack.sigstack(['generate-key-pair'], withPassword('correct horse'));
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toBe('Private key written to cosign.key\nPublic key written to cosign.pub\n');
    const wrong = await stack.sigstack(['generate-key-pair', '--output-key-prefix', 'wrong'], withPassword('another one'));
    expect(wrong.code, wrong.stderr).toBe(0);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('generate-key-pair writes an encrypted private key (mode 0600) and its public key', () => {
    const key = readFileSync(path.join(stack.work, 'cosign.key'), 'utf8');
    expect(key).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    expect(statSync(path.join(stack.work, 'cosign.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(stack.work, 'cosign.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('sign-blob --key logs the signature and timestamps it; verify-blob --key accepts it and refuses another key', async () => {
    const signed = await stack.sigstack(['sign-blob', '--key', 'cosign.key', '--bundle', 'artifact.sigstore.json', '--yes', 'artifact.tgz'], withPassword('correct horse'));
    expectBundleWritten(signed, 'artifact.sigstore.json');

    const inspected = await stack.sigstack(['bundle', 'inspect', 'artifact.sigstore.json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const summary = JSON.parse(inspected.stdout);
    expect(summary).toMatchObject({ content: { kind: 'messageSignature', digest: `sha256:${sha256Hex(artifact)}` }, signer: { kind: 'publicKey' }, rfc3161Timestamps: 1 });
    expect(summary.tlogEntries).toHaveLength(1);
    expect(summary.tlogEntries[0]).toMatchObject({ kind: expect.stringMatching(/^hashedrekord /), inclusionProof: true });

    expectVerified(await stack.sigstack(['verify-blob', '--key', 'cosign.pub', '--bundle', 'artifact.sigstore.json', 'artifact.tgz']));
    // The TUF copy cached by the first verification is enough without the network.
    expectVerified(await stack.sigstack(['verify-blob', '--key', 'cosign.pub', '--bundle', 'artifact.sigstore.json', '--offline', 'artifact.tgz']));

    const wrongKey = await stack.sigstack(['verify-blob', '--key', 'wrong.pub', '--bundle', 'artifact.sigstore.json', 'artifact.tgz']);
    expectRejected(wrongKey, 'SIGNATURE_INVALID', /does not verify with the signing key/);
    const wrongBlob = await stack.sigstack(['verify-blob', '--key', 'cosign.pub', '--bundle', 'artifact.sigstore.json', 'other.tgz']);
    expectRejected(wrongBlob, 'DIGEST_MISMATCH', new RegExp(`is not the signed digest ${sha256Hex(artifact)}`));
  });

  it('sign-blob refuses a wrong key password (exit 6) and a missing one without a terminal (exit 7)', async () => {
    const wrong = await stack.sigstack(['sign-blob', '--key', 'cosign.key', '--bundle', 'never.sigstore.json', '--yes', 'artifact.tgz'], withPassword('not it'));
    expectOneLineError(wrong, 6, /cannot decrypt cosign\.key: wrong password/);
    const none = await stack.sigstack(['sign-blob', '--key', 'cosign.key', '--bundle', 'never.sigstore.json', '--yes', 'artifact.tgz']);
    expectOneLineError(none, 7, /no password: set COSIGN_PASSWORD/);
  });

  it('attest-blob --type cyclonedx signs a CycloneDX SBOM as an in-toto statement; verify-blob-attestation checks its type and subject', async () => {
    const sbom = cycloneDxSbom('artifact.tgz', artifact);
    writeFileSync(path.join(stack.work, 'sbom.cdx.json'), JSON.stringify(sbom, null, 2));
    const attested = await stack.sigstack(['attest-blob', '--predicate', 'sbom.cdx.json', '--type', 'cyclonedx', '--key', 'cosign.key', '--bundle', 'sbom.sigstore.json', '--yes', 'artifact.tgz'], withPassword('correct horse'));
    expectBundleWritten(attested, 'sbom.sigstore.json');

    const bundle = readBundle(stack.work, 'sbom.sigstore.json');
    expect(bundle.dsseEnvelope?.payloadType).toBe('application/vnd.in-toto+json');
    expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion.kind).toBe('dsse');
    expect(statementOf(bundle)).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'artifact.tgz', digest: { sha256: sha256Hex(artifact) } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: sbom,
    });
    const payload = await stack.sigstack(['bundle', 'inspect', '--payload', 'sbom.sigstore.json']);
    expect(payload.code, payload.stderr).toBe(0);
    expect(JSON.parse(payload.stdout)).toEqual(statementOf(bundle));

    const verify = (type: string, file = 'artifact.tgz') => stack.sigstack(['verify-blob-attestation', '--key', 'cosign.pub', '--bundle', 'sbom.sigstore.json', '--type', type, file]);
    expectVerified(await verify('cyclonedx'));
    // The predicate type as a URI is the same type.
    expectVerified(await verify('https://cyclonedx.org/bom'));
    expectRejected(await verify('spdxjson'), 'PREDICATE_TYPE_MISMATCH', /"https:\/\/cyclonedx\.org\/bom", expected "https:\/\/spdx\.dev\/Document"/);
    expectRejected(await verify('slsaprovenance1'), 'PREDICATE_TYPE_MISMATCH', /expected "https:\/\/slsa\.dev\/provenance\/v1"/);
    expectRejected(await verify('cyclonedx', 'other.tgz'), 'DIGEST_MISMATCH');
    const wrongKey = await stack.sigstack(['verify-blob-attestation', '--key', 'wrong.pub', '--bundle', 'sbom.sigstore.json', '--type', 'cyclonedx', 'artifact.tgz']);
    expectRejected(wrongKey, 'SIGNATURE_INVALID');
  });

  it('attest-blob keyless (a person signed in at the dev IdP): the SBOM attestation verifies against that identity only', async () => {
    const user = stack.info.identities.user;
    const sbom = cycloneDxSbom('artifact.tgz', artifact);
    writeFileSync(path.join(stack.work, 'sbom-keyless.cdx.json'), JSON.stringify(sbom));
    const attested = await stack.sigstack(['attest-blob', '--identity-token', await stack.token(user.profile), '--predicate', 'sbom-keyless.cdx.json', '--type', 'cyclonedx', '--bundle', 'sbom-keyless.sigstore.json', '--yes', 'artifact.tgz']);
    expectBundleWritten(attested, 'sbom-keyless.sigstore.json');
    expect(statementOf(readBundle(stack.work, 'sbom-keyless.sigstore.json')).predicate).toEqual(sbom);

    const verify = (identity: string, type = 'cyclonedx') =>
      stack.sigstack(['verify-blob-attestation', '--bundle', 'sbom-keyless.sigstore.json', '--type', type, '--certificate-identity', identity, '--certificate-oidc-issuer', user.issuer, 'artifact.tgz']);
    expectVerified(await verify(user.identity));
    expectRejected(await verify('bob@example.com'), 'IDENTITY_MISMATCH', /alice@example\.com/);
    expectRejected(await verify(user.identity, 'spdx'), 'PREDICATE_TYPE_MISMATCH');
  });
});
