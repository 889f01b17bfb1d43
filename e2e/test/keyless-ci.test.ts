// Keyless signing from CI, against a stack booted from scratch: a simulated GitHub Actions
// run (the client gets its ID token through the runner's token-request protocol, with no
// --identity-token), and a GitLab CI job; each verified through its identity, its issuer
// and the claims Fulcio copied into the certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifact } from './support/artifacts.js';
import { readBundle, signingCertificate } from './support/bundles.js';
import { claimsOf, githubActionsEnv } from './support/ci.js';
import { initializeClient } from './support/client.js';
import { expectOneLineError, expectBundleWritten, expectRejected, expectVerified } from './support/outcome.js';
import { backends, bootStack } from './support/stack.js';
import type { Identity, Stack } from './support/stack.js';

describe.each(backends())('keyless signing in CI (%s)', (backend) => {
  let stack: Stack;
  let workflow: Identity;

  beforeAll(async () => {
    stack = await bootStack(backend);
    await initializeClient(stack);
    writeArtifact(stack.work, 'release.tgz');
    workflow = stack.info.identities.workload;
    expect(workflow.profile).toBe('github-actions');
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  describe('a GitHub Actions run (token through ACTIONS_ID_TOKEN_REQUEST_URL)', () => {
    const verify = (...flags: string[]) => stack.sigstack(['verify-blob', '--bundle', 'release.sigstore.json', ...flags, 'release.tgz']);

    beforeAll(async () => {
      const signed = await stack.sigstack(['sign-blob', '--bundle', 'release.sigstore.json', '--yes', 'release.tgz'], { env: { ...stack.env, ...githubActionsEnv(stack) } });
      expectBundleWritten(signed, 'release.sigstore.json');
    });

    it('gets the workflow identity from the runner variables alone, and needs them', async () => {
      const cert = signingCertificate(readBundle(stack.work, 'release.sigstore.json'));
      expect(cert.subjectAltNames?.uris).toEqual([workflow.identity]);
      expect(cert.sigstore).toMatchObject({
        issuer: workflow.issuer,
        githubWorkflowRepository: 'sigstack-dev/example',
        githubWorkflowName: 'Release',
        githubWorkflowTrigger: 'push',
        githubWorkflowRef: 'refs/heads/main',
        buildSignerUri: workflow.identity,
        sourceRepositoryUri: 'https://github.com/sigstack-dev/example',
        runnerEnvironment: 'github-hosted',
      });

      // The control: without the variables (and no terminal) there is no token at all, and
      // a wrong request token is the provider's refusal, named in one line.
      const bare = await stack.sigstack(['sign-blob', '--bundle', 'never.sigstore.json', '--yes', 'release.tgz']);
      expectOneLineError(bare, 7, /no identity token/);
      const disabled = await stack.sigstack(['sign-blob', '--oidc-disable-ambient-providers', '--bundle', 'never.sigstore.json', '--yes', 'release.tgz'], { env: { ...stack.env, ...githubActionsEnv(stack) } });
      expectOneLineError(disabled, 7, /no identity token/);
      const wrongSecret = await stack.sigstack(['sign-blob', '--bundle', 'never.sigstore.json', '--yes', 'release.tgz'], {
        env: { ...stack.env, ...githubActionsEnv(stack), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-workload-secret' },
      });
      expectOneLineError(wrongSecret, 5, /GitHub Actions token .*\/actions\/id-token\/github-actions.*HTTP 401/);
    });

    it('verifies pinned to the exact workflow identity and issuer', async () => {
      expectVerified(await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer));
    });

    it('verifies pinned by regular expressions', async () => {
      expectVerified(await verify('--certificate-identity-regexp', 'https://github\\.com/sigstack-dev/example/\\.github/workflows/release\\.yml@refs/(heads|tags)/.+', '--certificate-oidc-issuer', workflow.issuer));
      expectVerified(await verify('--certificate-identity-regexp', 'https://github\\.com/sigstack-dev/.*', '--certificate-oidc-issuer-regexp', '.*/workloads/github-actions'));
    });

    it('verifies pinned to the GitHub workflow claims', async () => {
      expectVerified(
        await verify(
          '--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer,
          '--certificate-github-workflow-repository', 'sigstack-dev/example',
          '--certificate-github-workflow-name', 'Release',
          '--certificate-github-workflow-trigger', 'push',
          '--certificate-github-workflow-ref', 'refs/heads/main',
          '--certificate-github-workflow-sha', '5f7c1a3e9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e',
        ),
      );
    });

    it('refuses another repository', async () => {
      const otherRepo = workflow.identity.replace('sigstack-dev/example', 'sigstack-dev/other');
      expectRejected(await verify('--certificate-identity', otherRepo, '--certificate-oidc-issuer', workflow.issuer), 'IDENTITY_MISMATCH', /sigstack-dev\/example/);
      expectRejected(await verify('--certificate-identity-regexp', 'https://github\\.com/sigstack-dev/other/.*', '--certificate-oidc-issuer', workflow.issuer), 'IDENTITY_MISMATCH');
      const claim = await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, '--certificate-github-workflow-repository', 'sigstack-dev/other');
      expectRejected(claim, 'EXTENSION_MISMATCH', /sigstack-dev\/other/);
      // Regexps match the whole identity: a bare prefix of the right repository is not enough.
      expectRejected(await verify('--certificate-identity-regexp', 'https://github\\.com/sigstack-dev', '--certificate-oidc-issuer', workflow.issuer), 'IDENTITY_MISMATCH');
    });

    it('refuses another workflow', async () => {
      const otherWorkflow = workflow.identity.replace('/release.yml@', '/build.yml@');
      expectRejected(await verify('--certificate-identity', otherWorkflow, '--certificate-oidc-issuer', workflow.issuer), 'IDENTITY_MISMATCH', /build\.yml/);
      const claim = await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, '--certificate-github-workflow-name', 'Build');
      expectRejected(claim, 'EXTENSION_MISMATCH', /Build/);
      const otherRef = await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer, '--certificate-github-workflow-ref', 'refs/tags/v1');
      expectRejected(otherRef, 'EXTENSION_MISMATCH', /refs\/tags\/v1/);
    });

    it('refuses another issuer', async () => {
      expectRejected(await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'), 'ISSUER_MISMATCH', /token\.actions\.githubusercontent\.com/);
      expectRejected(await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', `${stack.info.services.oidc}/workloads/gitlab-ci`), 'ISSUER_MISMATCH');
      expectRejected(await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer-regexp', 'https://token\\.actions\\.githubusercontent\\.com'), 'ISSUER_MISMATCH');
    });
  });

  describe('a GitLab CI job (another CI issuer)', () => {
    let claims: Record<string, unknown>;
    let identity: string;
    let issuer: string;
    const verify = (...flags: string[]) => stack.sigstack(['verify-blob', '--bundle', 'gitlab.sigstore.json', ...flags, 'release.tgz']);

    beforeAll(async () => {
      const token = await stack.token('gitlab-ci');
      claims = claimsOf(token);
      // Fulcio's GitLab profile: the identity is the job's CI config, as a URL on the GitLab server.
      identity = `https://${String(claims['ci_config_ref_uri'])}`;
      issuer = String(claims['iss']);
      expect(issuer).toBe(`${stack.info.services.oidc}/workloads/gitlab-ci`);
      const signed = await stack.sigstack(['sign-blob', '--identity-token', token, '--bundle', 'gitlab.sigstore.json', '--yes', 'release.tgz']);
      expectBundleWritten(signed, 'gitlab.sigstore.json');
    });

    it('puts the job identity and its claims in the certificate, and no GitHub claims', async () => {
      const inspected = await stack.sigstack(['bundle', 'inspect', 'gitlab.sigstore.json']);
      expect(inspected.code, inspected.stderr).toBe(0);
      expect(JSON.parse(inspected.stdout).signer).toMatchObject({ kind: 'certificate', subjectAlternativeNames: [identity], issuer });

      const cert = signingCertificate(readBundle(stack.work, 'gitlab.sigstore.json'));
      const project = `https://gitlab.com/${String(claims['project_path'])}`;
      expect(cert.sigstore).toMatchObject({
        issuer,
        issuerV1: issuer,
        buildSignerUri: identity,
        buildSignerDigest: claims['ci_config_sha'],
        buildConfigUri: identity,
        buildConfigDigest: claims['ci_config_sha'],
        runnerEnvironment: claims['runner_environment'],
        sourceRepositoryUri: project,
        sourceRepositoryDigest: claims['sha'],
        sourceRepositoryRef: claims['ref_path'],
        sourceRepositoryIdentifier: claims['project_id'],
        sourceRepositoryOwnerUri: `https://gitlab.com/${String(claims['namespace_path'])}`,
        sourceRepositoryOwnerIdentifier: claims['namespace_id'],
        buildTrigger: claims['pipeline_source'],
        runInvocationUri: `${project}/-/jobs/${String(claims['job_id'])}`,
        sourceRepositoryVisibilityAtSigning: claims['project_visibility'],
      });
      for (const github of ['githubWorkflowRepository', 'githubWorkflowName', 'githubWorkflowTrigger', 'githubWorkflowSha', 'githubWorkflowRef'] as const) {
        expect(cert.sigstore[github], github).toBeUndefined();
      }
    });

    it('verifies through its identity and issuer, exact or by regular expression', async () => {
      expectVerified(await verify('--certificate-identity', identity, '--certificate-oidc-issuer', issuer));
      expectVerified(await verify('--certificate-identity-regexp', 'https://gitlab\\.com/sigstack-dev/example//\\.gitlab-ci\\.yml@refs/heads/.+', '--certificate-oidc-issuer', issuer));
    });

    it('refuses another project, the GitHub issuer, and GitHub claims it does not carry', async () => {
      expectRejected(await verify('--certificate-identity', identity.replace('/example//', '/other//'), '--certificate-oidc-issuer', issuer), 'IDENTITY_MISMATCH');
      expectRejected(await verify('--certificate-identity', identity, '--certificate-oidc-issuer', workflow.issuer), 'ISSUER_MISMATCH');
      const github = await verify('--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--certificate-github-workflow-repository', String(claims['project_path']));
      expectRejected(github, 'EXTENSION_MISMATCH');
    });

    it('is not taken for the GitHub workflow that signed the same artifact', async () => {
      // Both bundles are valid for the same file; only the policy tells them apart.
      expectRejected(await verify('--certificate-identity', workflow.identity, '--certificate-oidc-issuer', workflow.issuer), 'IDENTITY_MISMATCH', new RegExp(identity.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    });
  });
});
