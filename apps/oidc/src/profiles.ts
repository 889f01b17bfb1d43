// The claims real CI issuers and workload identity systems put in their ID tokens, and the
// subjects Fulcio expects from each (facts from the issuers' docs and Fulcio's issuer
// config). A profile names a kind and overrides some claims; the rest are derived here.

/** A JSON value, as a claim may hold. */
export type ClaimValue = string | number | boolean | null | readonly ClaimValue[] | { readonly [key: string]: ClaimValue };
export type Claims = Readonly<Record<string, ClaimValue>>;

export const WORKLOAD_KINDS = ['github-actions', 'gitlab-ci', 'buildkite', 'kubernetes', 'spiffe'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Claims a token request may never set: the server decides them. */
export const REGISTERED_CLAIMS = new Set(['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'azp']);

const DEFAULT_SHA = '5f7c1a3e9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e';

/** Thrown when a profile's claims cannot give a subject of its kind's format. */
export class ClaimsError extends Error {
  readonly code = 'INVALID_CLAIMS';

  constructor(message: string) {
    super(message);
    this.name = 'ClaimsError';
  }
}

type Mutable = Record<string, ClaimValue>;

function text(claims: Mutable, key: string): string {
  const value = claims[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new ClaimsError(`claim ${key} must be a non-empty string`);
}

function fill(claims: Mutable, key: string, value: () => ClaimValue): void {
  if (claims[key] === undefined) claims[key] = value();
}

function isObject(value: ClaimValue | undefined): value is { readonly [key: string]: ClaimValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function github(c: Mutable): string {
  fill(c, 'repository', () => 'sigstack-dev/example');
  const repository = text(c, 'repository');
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new ClaimsError('claim repository must be owner/name');
  fill(c, 'repository_owner', () => repository.split('/')[0] ?? '');
  fill(c, 'repository_id', () => '100000001');
  fill(c, 'repository_owner_id', () => '100000000');
  fill(c, 'repository_visibility', () => 'public');
  fill(c, 'actor', () => text(c, 'repository_owner'));
  fill(c, 'actor_id', () => text(c, 'repository_owner_id'));
  fill(c, 'ref', () => 'refs/heads/main');
  const ref = text(c, 'ref');
  fill(c, 'ref_type', () => (ref.startsWith('refs/tags/') ? 'tag' : 'branch'));
  fill(c, 'ref_protected', () => 'false');
  fill(c, 'sha', () => DEFAULT_SHA);
  fill(c, 'event_name', () => 'push');
  fill(c, 'head_ref', () => '');
  fill(c, 'base_ref', () => '');
  fill(c, 'workflow', () => 'Release');
  fill(c, 'workflow_ref', () => `${repository}/.github/workflows/release.yml@${ref}`);
  fill(c, 'workflow_sha', () => text(c, 'sha'));
  fill(c, 'job_workflow_ref', () => text(c, 'workflow_ref'));
  fill(c, 'job_workflow_sha', () => text(c, 'workflow_sha'));
  fill(c, 'run_id', () => '1000000001');
  fill(c, 'run_number', () => '1');
  fill(c, 'run_attempt', () => '1');
  fill(c, 'runner_environment', () => 'github-hosted');
  // GitHub's default subject formats: an environment wins, then pull requests, then the ref.
  if (typeof c['environment'] === 'string' && c['environment'] !== '') return `repo:${repository}:environment:${c['environment']}`;
  if (c['event_name'] === 'pull_request') return `repo:${repository}:pull_request`;
  return `repo:${repository}:ref:${ref}`;
}

function gitlab(c: Mutable): string {
  fill(c, 'project_path', () => 'sigstack-dev/example');
  const project = text(c, 'project_path');
  const slash = project.lastIndexOf('/');
  if (slash <= 0) throw new ClaimsError('claim project_path must be group/project');
  fill(c, 'namespace_path', () => project.slice(0, slash));
  fill(c, 'namespace_id', () => '1000');
  fill(c, 'project_id', () => '2000');
  fill(c, 'project_visibility', () => 'public');
  fill(c, 'user_id', () => '3000');
  fill(c, 'user_login', () => 'dev');
  fill(c, 'user_email', () => 'dev@example.com');
  fill(c, 'user_access_level', () => 'developer');
  fill(c, 'pipeline_id', () => '4000');
  fill(c, 'pipeline_source', () => 'push');
  fill(c, 'job_id', () => '5000');
  fill(c, 'ref', () => 'main');
  fill(c, 'ref_type', () => 'branch');
  const ref = text(c, 'ref');
  const refType = text(c, 'ref_type');
  if (refType !== 'branch' && refType !== 'tag') throw new ClaimsError('claim ref_type must be branch or tag');
  fill(c, 'ref_path', () => `refs/${refType === 'branch' ? 'heads' : 'tags'}/${ref}`);
  fill(c, 'ref_protected', () => 'true');
  fill(c, 'sha', () => DEFAULT_SHA);
  fill(c, 'runner_id', () => 6000);
  fill(c, 'runner_environment', () => 'gitlab-hosted');
  fill(c, 'ci_config_ref_uri', () => `gitlab.com/${project}//.gitlab-ci.yml@${text(c, 'ref_path')}`);
  fill(c, 'ci_config_sha', () => text(c, 'sha'));
  return `project_path:${project}:ref_type:${refType}:ref:${ref}`;
}

function buildkite(c: Mutable): string {
  fill(c, 'organization_slug', () => 'sigstack-dev');
  fill(c, 'pipeline_slug', () => 'example');
  fill(c, 'organization_id', () => '0190a1b2-0000-4000-8000-000000000001');
  fill(c, 'pipeline_id', () => '0190a1b2-0000-4000-8000-000000000002');
  fill(c, 'build_number', () => 1);
  fill(c, 'build_branch', () => 'main');
  fill(c, 'build_commit', () => DEFAULT_SHA);
  fill(c, 'build_source', () => 'webhook');
  fill(c, 'step_key', () => 'build');
  fill(c, 'job_id', () => '0190a1b2-0000-4000-8000-000000000003');
  fill(c, 'agent_id', () => '0190a1b2-0000-4000-8000-000000000004');
  fill(c, 'runner_environment', () => 'buildkite-hosted');
  const tag = typeof c['build_tag'] === 'string' && c['build_tag'] !== '' ? c['build_tag'] : undefined;
  const ref = tag !== undefined ? `refs/tags/${tag}` : `refs/heads/${text(c, 'build_branch')}`;
  return `organization:${text(c, 'organization_slug')}:pipeline:${text(c, 'pipeline_slug')}:ref:${ref}:commit:${text(c, 'build_commit')}:step:${text(c, 'step_key')}`;
}

function kubernetes(c: Mutable): string {
  const given = c['kubernetes.io'];
  if (given !== undefined && !isObject(given)) throw new ClaimsError('claim kubernetes.io must be an object');
  const k8s: Mutable = { ...(given ?? {}) };
  fill(k8s, 'namespace', () => 'default');
  const sa: Mutable = { ...(isObject(k8s['serviceaccount']) ? k8s['serviceaccount'] : {}) };
  fill(sa, 'name', () => 'builder');
  fill(sa, 'uid', () => '6d1b2c3a-0000-4000-8000-000000000005');
  const pod: Mutable = { ...(isObject(k8s['pod']) ? k8s['pod'] : {}) };
  fill(pod, 'name', () => `${text(sa, 'name')}-7d9f8b6c5-x2x4z`);
  fill(pod, 'uid', () => '6d1b2c3a-0000-4000-8000-000000000006');
  k8s['serviceaccount'] = sa;
  k8s['pod'] = pod;
  c['kubernetes.io'] = k8s;
  return `system:serviceaccount:${text(k8s, 'namespace')}:${text(sa, 'name')}`;
}

function spiffe(c: Mutable): string {
  fill(c, 'sub', () => 'spiffe://sigstack.test/ns/default/sa/builder');
  const id = text(c, 'sub');
  // A SPIFFE ID: scheme, a trust domain, then a path (the SPIFFE ID spec).
  if (!/^spiffe:\/\/[a-z0-9._-]+(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(id)) {
    throw new ClaimsError('claim sub must be a SPIFFE ID such as spiffe://example.org/ns/default/sa/builder');
  }
  return id;
}

const SUBJECTS: Readonly<Record<WorkloadKind, (claims: Mutable) => string>> = {
  'github-actions': github,
  'gitlab-ci': gitlab,
  buildkite,
  kubernetes,
  spiffe,
};

/**
 * The full claim set of a workload of `kind`: the given claims, every missing one derived
 * from them or defaulted, and `sub` in the issuer's format (an explicit `sub` wins, for
 * negative tests). Throws ClaimsError when the claims cannot make a subject.
 */
export function resolveClaims(kind: WorkloadKind, given: Claims): { readonly subject: string; readonly claims: Claims } {
  const claims: Mutable = { ...given };
  const derived = SUBJECTS[kind](claims);
  const subject = typeof claims['sub'] === 'string' && claims['sub'] !== '' ? claims['sub'] : derived;
  claims['sub'] = subject;
  return { subject, claims };
}
