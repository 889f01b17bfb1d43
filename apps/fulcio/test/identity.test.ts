import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCertificate } from '@sigstack/x509';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentityConfig, lookupIssuer, IssuerConfigError } from '../src/identity/config.js';
import { compile } from '../src/identity/template.js';
import { GITHUB_CLAIMS, startIdp, testApp } from './helpers.js';
import type { TestIdp } from './helpers.js';

let idp: TestIdp;
let app: FastifyInstance;
beforeAll(async () => {
  idp = await startIdp();
  ({ app } = await testApp(idp));
});
afterAll(async () => {
  await app.close();
  await idp.close();
});

async function issue(claims: Record<string, unknown>, issuerPath: string, name = claims['sub'] as string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const token = await idp.token(claims, { issuerPath });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v2/signingCert',
    payload: {
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: { publicKey: { content: publicKey.export({ format: 'pem', type: 'spki' }) }, proofOfPossession: nodeSign('sha256', Buffer.from(name), privateKey).toString('base64') },
    },
  });
  return { status: res.statusCode, json: res.json() as Record<string, never>, cert: res.statusCode === 200 ? parseCertificate(res.json().signedCertificateDetachedSct.chain.certificates[0]) : undefined };
}

describe('issuer types', () => {
  it('spiffe: the SPIFFE ID as URI SAN, trust domain enforced', async () => {
    const ok = await issue({ sub: 'spiffe://sigstack.test/ns/prod/sa/builder' }, '/workloads/spiffe');
    expect(ok.cert?.subjectAltNames?.uris).toEqual(['spiffe://sigstack.test/ns/prod/sa/builder']);
    const wrong = await issue({ sub: 'spiffe://evil.test/ns/prod' }, '/workloads/spiffe');
    expect([wrong.status, wrong.json['code']]).toEqual([401, 'INVALID_IDENTITY_CLAIMS']);
  });

  it('kubernetes: the service account URI', async () => {
    const ok = await issue({ sub: 'system:serviceaccount:prod:builder', 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'builder' } } }, '/workloads/k8s');
    expect(ok.cert?.subjectAltNames?.uris).toEqual(['https://kubernetes.io/namespaces/prod/serviceaccounts/builder']);
  });

  it('meta issuers match wildcard URLs', async () => {
    const ok = await issue({ sub: 'system:serviceaccount:a:b', 'kubernetes.io': { namespace: 'a', serviceaccount: { name: 'b' } } }, '/meta/cluster-7');
    expect(ok.cert?.sigstore.issuer).toBe(`${idp.url}/meta/cluster-7`);
    const no = await issue({ sub: 'x' }, '/meta/a.b');
    expect(no.status).toBe(401);
  });

  it('uri: the subject must be on the subject domain', async () => {
    const ok = await issue({ sub: 'http://127.0.0.1/users/alice' }, '/workloads/uri');
    expect(ok.cert?.subjectAltNames?.uris).toEqual(['http://127.0.0.1/users/alice']);
    expect((await issue({ sub: 'http://elsewhere.example/x' }, '/workloads/uri')).status).toBe(401);
  });

  it('username: an OtherName SAN user!domain (1.3.6.1.4.1.57264.1.7)', async () => {
    const ok = await issue({ sub: 'alice' }, '/workloads/username');
    expect(ok.cert?.subjectAltNames?.username).toBe('alice!127.0.0.1');
    expect((await issue({ sub: 'al!ce' }, '/workloads/username')).status).toBe(401);
  });

  it('gitlab-pipeline: ci_config_ref_uri as SAN, refs from ref_type', async () => {
    const ok = await issue(
      {
        sub: 'project_path:grp/proj:ref_type:branch:ref:main', project_path: 'grp/proj', pipeline_source: 'push', pipeline_id: '5', ci_config_ref_uri: 'gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main',
        job_id: '42', ref: 'main', ref_type: 'branch', namespace_path: 'grp', namespace_id: '7', project_id: '8', sha: 'd'.repeat(40), runner_environment: 'gitlab-hosted', runner_id: 3, project_visibility: 'private',
      },
      '/workloads/gitlab',
    );
    expect(ok.cert?.subjectAltNames?.uris).toEqual(['https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main']);
    expect(ok.cert?.sigstore).toMatchObject({ sourceRepositoryRef: 'refs/heads/main', runInvocationUri: 'https://gitlab.com/grp/proj/-/jobs/42', sourceRepositoryUri: 'https://gitlab.com/grp/proj' });
  });

  it('buildkite-job, codefresh-workflow, chainguard-identity', async () => {
    const bk = await issue({ sub: 'organization:acme:pipeline:app', organization_slug: 'acme', pipeline_slug: 'app' }, '/workloads/buildkite');
    expect(bk.cert?.subjectAltNames?.uris).toEqual(['https://buildkite.com/acme/app']);
    const cf = await issue({ sub: 'account:1:pipeline:p', account_id: 'a1', account_name: 'acme', pipeline_id: 'p1', pipeline_name: 'proj/pipe', workflow_id: 'w1' }, '/workloads/codefresh');
    expect(cf.cert?.subjectAltNames?.uris).toEqual(['https://g.codefresh.io/acme/proj/pipe:a1/p1']);
    expect(cf.cert?.sigstore.buildSignerUri).toBe('https://g.codefresh.io/build/w1');
    const cg = await issue({ sub: 'abc/def' }, '/workloads/chainguard');
    expect(cg.cert?.subjectAltNames?.uris).toEqual([`${idp.url}/workloads/chainguard/abc/def`]);
  });

  it('ci-provider: templates fill the SAN and extensions, .23 included', async () => {
    const ok = await issue({ ...GITHUB_CLAIMS, environment: 'production' }, '/workloads/github-ci');
    expect(ok.cert?.subjectAltNames?.uris).toEqual(['https://github.com/octo/widgets/.github/workflows/release.yml@refs/heads/main']);
    expect(ok.cert?.sigstore.runInvocationUri).toBe('https://github.com/octo/widgets/actions/runs/777/attempts/1');
    const env = ok.cert?.extensions.find((e) => e.oid === '1.3.6.1.4.1.57264.1.23');
    expect(Buffer.from(env?.value ?? []).subarray(2).toString()).toBe('production');
    const missing = await issue({ sub: 'x', event_name: 'push' }, '/workloads/github-ci');
    expect([missing.status, missing.json['code']]).toEqual([401, 'INVALID_IDENTITY_CLAIMS']);
  });

  it('email: SkipEmailVerification (Entra ID) and IssuerClaim (Dex)', async () => {
    const entra = await issue({ sub: 'oid-1', email: 'gina@corp.example' }, '/workloads/entra', 'gina@corp.example');
    expect(entra.cert?.subjectAltNames?.emails).toEqual(['gina@corp.example']);
    const dex = await issue({ sub: 'x', email: 'hal@example.com', email_verified: true, federated_claims: { connector_id: 'https://github.com/login/oauth' } }, '/workloads/dex', 'hal@example.com');
    expect(dex.cert?.sigstore.issuer).toBe('https://github.com/login/oauth');
  });

  it('a rotated IdP key is fetched when a token names it', async () => {
    const before = idp.jwksFetches;
    const kid = await idp.rotate();
    await new Promise((r) => setTimeout(r, 10));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await idp.token({ sub: 'u', email: 'ivy@example.com', email_verified: true }, { kid });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: { credentials: { oidcIdentityToken: token }, publicKeyRequest: { publicKey: { content: publicKey.export({ format: 'pem', type: 'spki' }) }, proofOfPossession: nodeSign('sha256', Buffer.from('ivy@example.com'), privateKey).toString('base64') } },
    });
    // The cooldown (10s) may hold the refresh back right after start-up; either way no certificate from a stale key set.
    expect([200, 401]).toContain(res.statusCode);
    expect(idp.jwksFetches).toBeGreaterThanOrEqual(before);
  });
});

describe('issuer configuration', () => {
  it('upstream Fulcio\'s config/identity/config.yaml loads unchanged', () => {
    const config = parseIdentityConfig(readFileSync(new URL('fixtures/upstream-config.yaml', import.meta.url), 'utf8'));
    expect(config.issuers.get('https://token.actions.githubusercontent.com')).toMatchObject({ type: 'ci-provider', ciProvider: 'github-workflow', clientId: 'sigstore' });
    expect(config.issuers.get('https://oauth2.sigstore.dev/auth')?.issuerClaim).toBe('$.federated_claims.connector_id');
    expect([...config.ciMetadata.keys()].sort()).toEqual(['buddy-pipeline', 'buildkite-job', 'circleci-job', 'codefresh-workflow', 'github-workflow', 'gitlab-pipeline']);
    expect(lookupIssuer(config, 'https://oidc.eks.us-west-2.amazonaws.com/id/B02C93B6A2D30341AD01E1B6D48164CB')?.type).toBe('kubernetes');
    expect(lookupIssuer(config, 'https://oidc.eks.us-west-2.amazonaws.com.evil.com/id/B')).toBeUndefined();
    // The GitLab and CircleCI templates run as Go's text/template would.
    const gitlab = config.ciMetadata.get('gitlab-pipeline');
    expect(gitlab?.extensions.get('sourceRepositoryRef')?.execute({ ref_type: 'tag', ref: 'v1' })).toBe('refs/tags/v1');
    const circle = config.ciMetadata.get('circleci-job');
    expect(circle?.extensions.get('runnerEnvironment')?.execute({ 'oidc.circleci.com/ssh-rerun': 'false' })).toBe('""');
    expect(circle?.extensions.get('sourceRepositoryUri')?.execute({ 'oidc.circleci.com/vcs-origin': 'github.com/a/b' })).toBe('github.com/a/b');
  });

  it('reads the JSON form with Go\'s field names', () => {
    const config = parseIdentityConfig(JSON.stringify({ OIDCIssuers: { 'https://idp.example.com': { IssuerURL: 'https://idp.example.com', ClientID: 'sigstore', Type: 'email', SkipEmailVerification: true } } }));
    expect(config.issuers.get('https://idp.example.com')).toMatchObject({ type: 'email', skipEmailVerification: true });
  });

  it.each([
    ['type: nonsense', /unknown type/],
    ['type: spiffe', /SPIFFETrustDomain/],
    ['type: uri\n    subject-domain: https://other.org', /do not match/],
    ['type: username\n    subject-domain: https://example.com', /scheme/],
    ['type: ci-provider\n    ci-provider: nobody', /no ci-issuer-metadata/],
    ['type: uri\n    issuer-claim: $.x\n    subject-domain: https://example.com', /only email/],
    ['type: email\n    clientid: typo', /unknown setting/],
  ])('refuses %s', (fields, message) => {
    const text = `oidc-issuers:\n  https://idp.example.com:\n    issuer-url: https://idp.example.com\n    client-id: sigstore\n    ${fields}\n`;
    expect(() => parseIdentityConfig(text)).toThrow(IssuerConfigError);
    expect(() => parseIdentityConfig(text)).toThrow(message);
  });

  it('templates refuse what they cannot run', () => {
    expect(() => compile('{{ range .x }}{{ end }}')).toThrow(/not supported/);
    expect(() => compile('{{ .x | printf }}')).toThrow(/pipelines/);
    expect(() => compile('{{ if .x }}')).toThrow(/missing/);
    expect(() => compile('{{ .missing }}').execute({})).toThrow(/no entry/);
    expect(compile('{{- " a " -}}  b').execute({})).toBe(' a b');
  });
});
