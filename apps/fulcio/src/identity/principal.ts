import type { Identity, SubjectName } from '../ca/authority.js';
import type { CertificateExtensions, ExtensionName } from '../ca/extensions.js';
import { fulcioErrors } from '../errors.js';
import type { IdentityConfig, IssuerConfig } from './config.js';
import { TemplateError } from './template.js';
import { joinPath } from './url.js';
import type { VerifiedToken } from './verifier.js';

/** Who a verified token names: what the key must have signed, and what the certificate says. */
export interface Principal {
  /** The proof-of-possession challenge: the email for email issuers, else the subject. */
  readonly name: string;
  readonly identity: Identity;
}

type Claims = Readonly<Record<string, unknown>>;

/**
 * The principal of a verified token under its issuer's type, with Fulcio's rules
 * (pkg/identity/*): which claims are required, what the SAN is, which extensions are
 * filled. Claims are attacker-influenced (a CI user controls branch names, say): they
 * are only copied into names and extensions, never interpreted.
 */
export function principalFor(token: VerifiedToken, config: IdentityConfig): Principal {
  const { issuer, claims } = token;
  try {
    return PRINCIPALS[issuer.type](claims, issuer, config);
  } catch (err) {
    if (err instanceof ClaimError) throw fulcioErrors.create('INVALID_IDENTITY_CLAIMS', err.message, { cause: err });
    if (err instanceof TemplateError) throw fulcioErrors.create('INVALID_IDENTITY_CLAIMS', `the token's claims do not fill the issuer's templates: ${err.message}`, { cause: err });
    throw err;
  }
}

class ClaimError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function str(claims: Claims, name: string, required = true): string {
  const value = claims[name];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ClaimError(`missing ${name} claim in ID token`);
    return '';
  }
  if (typeof value !== 'string') throw new ClaimError(`the ${name} claim must be a string`);
  return value;
}

function sub(claims: Claims): string {
  return str(claims, 'sub');
}

function base(claims: Claims, issuerExt = claims['iss'] as string): Pick<CertificateExtensions, 'issuer' | 'subject'> {
  const subject = claims['sub'];
  return { issuer: issuerExt, ...(typeof subject === 'string' && subject ? { subject } : {}) };
}

function make(name: string, san: SubjectName, extensions: CertificateExtensions): Principal {
  return { name, identity: { san, extensions } };
}

/** email_verified as Fulcio reads it: true, false, or their string forms. */
function emailVerified(claims: Claims): boolean {
  const v = claims['email_verified'];
  if (v === true || v === 'true' || v === 'True') return true;
  if (v === undefined || v === false || v === 'false' || v === 'False') return false;
  throw new ClaimError('invalid value for email_verified');
}

const PRINCIPALS: Readonly<Record<IssuerConfig['type'], (claims: Claims, issuer: IssuerConfig, config: IdentityConfig) => Principal>> = {
  email(claims, issuer) {
    const email = str(claims, 'email');
    if (!issuer.skipEmailVerification && !emailVerified(claims)) throw new ClaimError('email_verified claim was false');
    if (!EMAIL.test(email)) throw new ClaimError('email address is not valid');
    const issuerExt = issuer.issuerClaim ? jsonPath(claims, issuer.issuerClaim) : (claims['iss'] as string);
    return make(email, { kind: 'email', value: email }, base(claims, issuerExt));
  },

  uri(claims, issuer) {
    const subject = sub(claims);
    if (EMAIL.test(subject)) throw new ClaimError('uri subject should not be an email address');
    if (!URL.canParse(subject)) throw new ClaimError('the subject is not a URI');
    const s = new URL(subject);
    const d = new URL(issuer.subjectDomain ?? '');
    if (s.protocol !== d.protocol) throw new ClaimError(`subject URI scheme (${s.protocol}) must match expected domain URI scheme (${d.protocol})`);
    if (s.hostname !== d.hostname) throw new ClaimError(`subject hostname (${s.hostname}) must match expected domain (${d.hostname})`);
    return make(subject, { kind: 'uri', value: subject }, base(claims));
  },

  username(claims, issuer) {
    const username = sub(claims);
    if (username.includes('!')) throw new ClaimError('username cannot contain ! character');
    if (EMAIL.test(username)) throw new ClaimError('username subject should not be an email address');
    return make(username, { kind: 'username', value: `${username}!${issuer.subjectDomain ?? ''}` }, base(claims));
  },

  spiffe(claims, issuer) {
    const id = sub(claims);
    const m = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[A-Za-z0-9._-]+)*)$/.exec(id);
    if (!m || m[2]?.split('/').some((seg, i) => i > 0 && (seg === '.' || seg === '..'))) throw new ClaimError(`invalid spiffe ID provided: ${id}`);
    if (m[1] !== issuer.spiffeTrustDomain) {
      throw new ClaimError(`spiffe ID trust domain ${m[1] ?? ''} doesn't match configured trust domain ${issuer.spiffeTrustDomain ?? ''}`);
    }
    return make(id, { kind: 'uri', value: id }, base(claims));
  },

  kubernetes(claims) {
    const subject = sub(claims);
    const k8s = claims['kubernetes.io'];
    const ns = isRecord(k8s) ? k8s['namespace'] : undefined;
    const sa = isRecord(k8s) && isRecord(k8s['serviceaccount']) ? k8s['serviceaccount']['name'] : undefined;
    if (typeof ns !== 'string' || !ns || typeof sa !== 'string' || !sa) {
      throw new ClaimError('missing kubernetes.io namespace or serviceaccount name claim in ID token');
    }
    return make(subject, { kind: 'uri', value: `https://kubernetes.io/namespaces/${ns}/serviceaccounts/${sa}` }, base(claims));
  },

  'github-workflow'(claims) {
    const c = (name: string) => str(claims, name);
    const names = [
      'job_workflow_ref', 'sha', 'event_name', 'repository', 'workflow', 'ref', 'job_workflow_sha', 'runner_environment',
      'repository_id', 'repository_owner', 'repository_owner_id', 'repository_visibility', 'workflow_ref', 'workflow_sha',
      'run_id', 'run_attempt',
    ];
    for (const name of names) c(name);
    const gh = 'https://github.com/';
    const signer = joinPath(gh, c('job_workflow_ref'));
    return make(sub(claims), { kind: 'uri', value: signer }, {
      ...base(claims),
      githubWorkflowTrigger: c('event_name'),
      githubWorkflowSha: c('sha'),
      githubWorkflowName: c('workflow'),
      githubWorkflowRepository: c('repository'),
      githubWorkflowRef: c('ref'),
      buildSignerUri: signer,
      buildSignerDigest: c('job_workflow_sha'),
      runnerEnvironment: c('runner_environment'),
      sourceRepositoryUri: joinPath(gh, c('repository')),
      sourceRepositoryDigest: c('sha'),
      sourceRepositoryRef: c('ref'),
      sourceRepositoryIdentifier: c('repository_id'),
      sourceRepositoryOwnerUri: joinPath(gh, c('repository_owner')),
      sourceRepositoryOwnerIdentifier: c('repository_owner_id'),
      buildConfigUri: joinPath(gh, c('workflow_ref')),
      buildConfigDigest: c('workflow_sha'),
      buildTrigger: c('event_name'),
      runInvocationUri: joinPath(gh, c('repository'), 'actions/runs', c('run_id'), 'attempts', c('run_attempt')),
      sourceRepositoryVisibilityAtSigning: c('repository_visibility'),
    });
  },

  'gitlab-pipeline'(claims) {
    const c = (name: string) => str(claims, name);
    const names = ['project_path', 'pipeline_source', 'pipeline_id', 'ci_config_ref_uri', 'job_id', 'ref', 'ref_type', 'namespace_path', 'namespace_id', 'project_id', 'sha', 'runner_environment'];
    for (const name of names) c(name);
    const runnerId = claims['runner_id'];
    if (typeof runnerId !== 'number' || !Number.isInteger(runnerId) || runnerId === 0) throw new ClaimError('missing runner_id claim in ID token');
    const refType = c('ref_type');
    if (refType !== 'branch' && refType !== 'tag') throw new ClaimError(`unexpected ref_type: ${refType}`);
    const gl = 'https://gitlab.com/';
    const configRef = c('ci_config_ref_uri');
    const configUri = /^[a-z][a-z0-9+.-]*:\/\//i.test(configRef) ? configRef.replace(/^[^:]+:/, 'https:') : `https://${configRef}`;
    const digest = str(claims, 'ci_config_sha', false);
    return make(sub(claims), { kind: 'uri', value: configUri }, {
      ...base(claims),
      buildConfigUri: configUri,
      buildConfigDigest: digest,
      buildSignerUri: configUri,
      buildSignerDigest: digest,
      runnerEnvironment: c('runner_environment'),
      sourceRepositoryUri: joinPath(gl, c('project_path')),
      sourceRepositoryDigest: c('sha'),
      sourceRepositoryRef: `refs/${refType === 'branch' ? 'heads' : 'tags'}/${c('ref')}`,
      sourceRepositoryIdentifier: c('project_id'),
      sourceRepositoryOwnerUri: joinPath(gl, c('namespace_path')),
      sourceRepositoryOwnerIdentifier: c('namespace_id'),
      buildTrigger: c('pipeline_source'),
      runInvocationUri: joinPath(gl, c('project_path'), '/-/jobs/', c('job_id')),
      sourceRepositoryVisibilityAtSigning: str(claims, 'project_visibility', false),
    });
  },

  'buildkite-job'(claims) {
    const uri = `https://buildkite.com/${str(claims, 'organization_slug')}/${str(claims, 'pipeline_slug')}`;
    return make(sub(claims), { kind: 'uri', value: uri }, base(claims));
  },

  'codefresh-workflow'(claims) {
    const accountId = str(claims, 'account_id');
    const pipelineId = str(claims, 'pipeline_id');
    const workflowId = str(claims, 'workflow_id');
    const platform = str(claims, 'platform_url', false) || 'https://g.codefresh.io';
    const uri = joinPath(platform, str(claims, 'account_name', false), `${str(claims, 'pipeline_name', false)}:${accountId}/${pipelineId}`);
    return make(sub(claims), { kind: 'uri', value: uri }, {
      ...base(claims),
      buildSignerUri: joinPath(platform, 'build', workflowId),
      runnerEnvironment: str(claims, 'runner_environment', false),
      sourceRepositoryUri: str(claims, 'scm_repo_url', false),
      sourceRepositoryRef: str(claims, 'scm_ref', false),
      buildConfigUri: joinPath(platform, 'api', 'pipelines', pipelineId),
      runInvocationUri: joinPath(platform, 'build', workflowId),
    });
  },

  'chainguard-identity'(claims) {
    const subject = sub(claims);
    // oauthflow.SubjectFromToken: a verified email if there is one, else the subject.
    const email = claims['email'];
    let name = subject;
    if (typeof email === 'string' && email) {
      if (!emailVerified(claims)) throw new ClaimError('email_verified claim was false');
      name = email;
    }
    return make(name, { kind: 'uri', value: joinPath(claims['iss'] as string, subject) }, base(claims));
  },

  'ci-provider'(claims, issuer, config) {
    const metadata = config.ciMetadata.get(issuer.ciProvider ?? '');
    if (!metadata) throw new Error(`no ci-issuer-metadata for ${issuer.ciProvider ?? ''}`);
    // Defaults first, then the claims: a claim wins over a default of the same name.
    const data: Record<string, string> = { ...metadata.defaults };
    for (const [k, v] of Object.entries(claims)) data[k] = goString(v);
    const san = metadata.subjectAlternativeName.execute(data);
    if (!URL.canParse(san)) throw new ClaimError(`the subject alternative name ${san} is not a URI`);
    const extensions: Partial<Record<ExtensionName, string>> = {};
    for (const [name, template] of metadata.extensions) extensions[name] = template.execute(data);
    return make(sub(claims), { kind: 'uri', value: san }, { ...extensions, ...base(claims) } as CertificateExtensions);
  },
};

/** A claim value as Go's fmt %v prints it after encoding/json (mapValuesToString). */
function goString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e21 ? BigInt(value).toString() : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (isRecord(value)) return `map[${Object.keys(value).sort().map((k) => `${k}:${goString(value[k])}`).join(' ')}]`;
  return String(value);
}

/** The simple JSONPath Fulcio configurations use for IssuerClaim: $.a.b.c. */
function jsonPath(claims: Claims, path: string): string {
  let value: unknown = claims;
  for (const key of path.slice(2).split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) throw new ClaimError(`the token has no ${path} claim`);
    value = value[key];
  }
  const text = goString(value);
  if (!text) throw new ClaimError(`the token's ${path} claim is empty`);
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
