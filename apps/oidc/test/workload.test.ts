import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentities } from '../src/identities.js';
import type { TestServer } from './helpers.js';
import { ISSUER, SECRET, json, testServer } from './helpers.js';

const AUTH = { authorization: `Bearer ${SECRET}` };

describe('workload tokens', () => {
  let server: TestServer;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  async function mint(body: Record<string, unknown>, headers: Record<string, string> = AUTH) {
    return server.app.inject({ method: 'POST', url: '/workload/token', headers, payload: body });
  }

  async function verified(body: Record<string, unknown>, kind: string, audience = 'sigstore'): Promise<JWTPayload> {
    const response = await mint(body);
    expect(response.statusCode).toBe(200);
    const { token, issuer } = json<{ token: string; issuer: string }>(response);
    expect(issuer).toBe(`${ISSUER}/workloads/${kind}`);
    const { payload } = await jwtVerify(token, jwks, { issuer, audience });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    return payload;
  }

  beforeAll(async () => {
    const identities = parseIdentities(`
workloads:
  github-actions: { kind: github-actions }
  release:
    kind: github-actions
    claims:
      repository: acme/widgets
      ref: refs/tags/v1.2.3
      event_name: release
      job_workflow_ref: acme/reusable/.github/workflows/build.yml@refs/heads/main
      runner_environment: self-hosted
  deploy:
    kind: github-actions
    claims: { repository: acme/widgets, environment: production }
  gitlab-ci: { kind: gitlab-ci }
  gitlab-tag: { kind: gitlab-ci, claims: { project_path: group/sub/project, ref: v2.0.0, ref_type: tag } }
  buildkite: { kind: buildkite }
  kubernetes: { kind: kubernetes }
  builder: { kind: kubernetes, claims: { kubernetes.io: { namespace: ci, serviceaccount: { name: signer } } } }
  spiffe: { kind: spiffe }
`);
    server = await testServer({ identities });
    jwks = createLocalJWKSet(json<JSONWebKeySet>(await server.app.inject({ url: '/jwks' })));
  });
  afterAll(() => server.close());

  it('mints GitHub Actions tokens with the claims GitHub puts in them', async () => {
    const payload = await verified({ workload: 'github-actions' }, 'github-actions');
    expect(payload).toMatchObject({
      sub: 'repo:sigstack-dev/example:ref:refs/heads/main',
      repository: 'sigstack-dev/example',
      repository_owner: 'sigstack-dev',
      ref: 'refs/heads/main',
      ref_type: 'branch',
      event_name: 'push',
      workflow_ref: 'sigstack-dev/example/.github/workflows/release.yml@refs/heads/main',
      job_workflow_ref: 'sigstack-dev/example/.github/workflows/release.yml@refs/heads/main',
      runner_environment: 'github-hosted',
      run_attempt: '1',
    });
    for (const claim of ['sha', 'workflow_sha', 'job_workflow_sha', 'run_id', 'run_number', 'repository_id', 'repository_owner_id', 'repository_visibility', 'actor', 'actor_id']) {
      expect(payload[claim], claim).toEqual(expect.any(String));
    }
    expect(payload['sha']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('derives the claims a profile does not set from the ones it does', async () => {
    const release = await verified({ workload: 'release' }, 'github-actions');
    expect(release).toMatchObject({
      sub: 'repo:acme/widgets:ref:refs/tags/v1.2.3',
      repository_owner: 'acme',
      ref_type: 'tag',
      event_name: 'release',
      workflow_ref: 'acme/widgets/.github/workflows/release.yml@refs/tags/v1.2.3',
      job_workflow_ref: 'acme/reusable/.github/workflows/build.yml@refs/heads/main',
      runner_environment: 'self-hosted',
    });
    const deploy = await verified({ workload: 'deploy' }, 'github-actions');
    expect(deploy.sub).toBe('repo:acme/widgets:environment:production');
  });

  it('mints GitLab CI, Buildkite, Kubernetes and SPIFFE tokens with the subjects Fulcio expects', async () => {
    const gitlab = await verified({ workload: 'gitlab-ci' }, 'gitlab-ci');
    expect(gitlab).toMatchObject({
      sub: 'project_path:sigstack-dev/example:ref_type:branch:ref:main',
      project_path: 'sigstack-dev/example',
      namespace_path: 'sigstack-dev',
      ref_path: 'refs/heads/main',
      ci_config_ref_uri: 'gitlab.com/sigstack-dev/example//.gitlab-ci.yml@refs/heads/main',
      runner_environment: 'gitlab-hosted',
    });
    for (const claim of ['namespace_id', 'project_id', 'pipeline_id', 'pipeline_source', 'job_id', 'sha', 'ci_config_sha', 'project_visibility', 'user_login']) {
      expect(gitlab[claim], claim).toEqual(expect.any(String));
    }
    const tag = await verified({ workload: 'gitlab-tag' }, 'gitlab-ci');
    expect(tag).toMatchObject({ sub: 'project_path:group/sub/project:ref_type:tag:ref:v2.0.0', namespace_path: 'group/sub', ref_path: 'refs/tags/v2.0.0' });

    const buildkite = await verified({ workload: 'buildkite' }, 'buildkite');
    expect(buildkite.sub).toMatch(/^organization:sigstack-dev:pipeline:example:ref:refs\/heads\/main:commit:[0-9a-f]{40}:step:build$/);
    expect(buildkite).toMatchObject({ organization_slug: 'sigstack-dev', pipeline_slug: 'example', build_number: 1, runner_environment: 'buildkite-hosted' });

    const k8s = await verified({ workload: 'builder' }, 'kubernetes');
    expect(k8s.sub).toBe('system:serviceaccount:ci:signer');
    expect(k8s['kubernetes.io']).toMatchObject({ namespace: 'ci', serviceaccount: { name: 'signer', uid: expect.any(String) }, pod: { name: expect.any(String) } });
    expect((await verified({ workload: 'kubernetes' }, 'kubernetes')).sub).toBe('system:serviceaccount:default:builder');

    const spiffe = await verified({ workload: 'spiffe' }, 'spiffe');
    expect(spiffe.sub).toBe('spiffe://sigstack.test/ns/default/sa/builder');
  });

  it('gives every token its own jti and takes claim overrides per request', async () => {
    const a = decodeJwt(json<{ token: string }>(await mint({ workload: 'github-actions' })).token);
    const b = decodeJwt(json<{ token: string }>(await mint({ workload: 'github-actions', claims: { ref: 'refs/heads/dev', sha: 'f'.repeat(40) } })).token);
    expect(a.jti).not.toBe(b.jti);
    expect(b).toMatchObject({ sub: 'repo:sigstack-dev/example:ref:refs/heads/dev', sha: 'f'.repeat(40) });
  });

  it('produces expired, short-lived and wrong-audience tokens on request, for negative tests elsewhere', async () => {
    const expired = json<{ token: string }>(await mint({ workload: 'github-actions', expired: true })).token;
    await expect(jwtVerify(expired, jwks, { audience: 'sigstore', clockTolerance: 300 })).rejects.toBeInstanceOf(errors.JWTExpired);
    const wrongAudience = json<{ token: string }>(await mint({ workload: 'github-actions', audience: 'not-sigstore' })).token;
    await expect(jwtVerify(wrongAudience, jwks, { audience: 'sigstore' })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    const many = decodeJwt(json<{ token: string }>(await mint({ workload: 'spiffe', audience: ['sigstore', 'other'] })).token);
    expect(many.aud).toEqual(['sigstore', 'other']);
    const short = decodeJwt(json<{ token: string }>(await mint({ workload: 'spiffe', ttl: 30 })).token);
    expect(short.exp! - short.iat!).toBe(30);
  });

  it('publishes a discovery document for each workload issuer, pointing at the shared JWKS', async () => {
    const response = await server.app.inject({ url: '/workloads/gitlab-ci/.well-known/openid-configuration' });
    expect(json(response)).toMatchObject({ issuer: `${ISSUER}/workloads/gitlab-ci`, jwks_uri: `${ISSUER}/jwks` });
    expect((await server.app.inject({ url: '/workloads/jenkins/.well-known/openid-configuration' })).statusCode).toBe(400);
    const list = json<{ workloads: { name: string; subject: string }[] }>(await server.app.inject({ url: '/workloads' }));
    expect(list.workloads.find((w) => w.name === 'builder')?.subject).toBe('system:serviceaccount:ci:signer');
  });

  it.each([
    ['no secret', { workload: 'spiffe' }, {}, 401, 'UNAUTHORIZED'],
    ['a wrong secret', { workload: 'spiffe' }, { authorization: 'Bearer wrong-secret-wrong-secret' }, 401, 'UNAUTHORIZED'],
    ['a Basic header', { workload: 'spiffe' }, { authorization: `Basic ${SECRET}` }, 401, 'UNAUTHORIZED'],
    ['an unknown workload', { workload: 'jenkins' }, AUTH, 404, 'UNKNOWN_WORKLOAD'],
    ['an unknown field', { workload: 'spiffe', admin: true }, AUTH, 400, 'INVALID_REQUEST'],
    ['no workload', { audience: 'sigstore' }, AUTH, 400, 'INVALID_REQUEST'],
    ['a ttl of zero', { workload: 'spiffe', ttl: 0 }, AUTH, 400, 'INVALID_REQUEST'],
    ['a ttl over an hour', { workload: 'spiffe', ttl: 3601 }, AUTH, 400, 'INVALID_REQUEST'],
    ['an empty audience', { workload: 'spiffe', audience: '' }, AUTH, 400, 'INVALID_REQUEST'],
    ['a registered claim', { workload: 'spiffe', claims: { iss: 'https://token.actions.githubusercontent.com' } }, AUTH, 400, 'INVALID_CLAIMS'],
    ['a claim that breaks the subject', { workload: 'github-actions', claims: { repository: 'no-slash' } }, AUTH, 400, 'INVALID_CLAIMS'],
    ['a non-SPIFFE subject', { workload: 'spiffe', claims: { sub: 'https://example.com' } }, AUTH, 400, 'INVALID_CLAIMS'],
  ])('refuses %s with a clear 4xx', async (_name, body, headers, status, code) => {
    const response = await mint(body, headers);
    expect(response.statusCode).toBe(status);
    expect(json(response)).toEqual({ code, message: expect.any(String) });
    if (status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('refuses malformed JSON and other media types', async () => {
    const malformed = await server.app.inject({ method: 'POST', url: '/workload/token', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"workload":' });
    expect(json(malformed)['code']).toBe('MALFORMED_BODY');
    const form = await server.app.inject({ method: 'POST', url: '/workload/token', headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'workload=spiffe' });
    expect(form.statusCode).toBe(415);
  });
});
