import type { Secret } from '@sigstack/server';
import type { FastifyInstance } from 'fastify';
import { requireSecret } from './auth.js';
import { oidcErrors } from './errors.js';
import type { Identities, WorkloadProfile } from './identities.js';
import { claimProblems } from './identities.js';
import type { KeyStore } from './keys.js';
import type { Claims } from './profiles.js';
import { ClaimsError, WORKLOAD_KINDS, resolveClaims } from './profiles.js';
import type { MintRequest } from './workload.js';
import { mintWorkloadToken, workloadIssuer } from './workload.js';

export interface WorkloadRouteOptions {
  readonly issuer: string;
  readonly identities: Identities;
  readonly keys: KeyStore;
  readonly secret: Secret;
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
}

const AUDIENCE = { type: 'string', minLength: 1, maxLength: 256 } as const;
const PROFILE_NAME = { type: 'string', minLength: 1, maxLength: 64 } as const;
const TOKEN_FIELDS = ['workload', 'audience', 'ttl', 'expired', 'claims'];

/** The audience Fulcio expects, unless a test asks for another. */
export const DEFAULT_AUDIENCE = 'sigstore';

const tokenBody = {
  type: 'object',
  required: ['workload'],
  // propertyNames rejects unknown fields (additionalProperties would silently strip them).
  propertyNames: { enum: TOKEN_FIELDS },
  properties: {
    workload: PROFILE_NAME,
    audience: { anyOf: [AUDIENCE, { type: 'array', minItems: 1, maxItems: 8, items: AUDIENCE }] },
    ttl: { type: 'integer', minimum: 1, maximum: 3600 },
    expired: { type: 'boolean' },
    claims: { type: 'object', maxProperties: 64 },
  },
} as const;

interface TokenBody {
  readonly workload: string;
  readonly audience?: string | string[];
  readonly ttl?: number;
  readonly expired?: boolean;
  readonly claims?: Record<string, unknown>;
}

const tokenReply = {
  type: 'object',
  required: ['token', 'workload', 'kind', 'issuer', 'subject', 'expires_at'],
  properties: {
    token: { type: 'string' },
    workload: { type: 'string' },
    kind: { type: 'string' },
    issuer: { type: 'string' },
    subject: { type: 'string' },
    expires_at: { type: 'integer' },
  },
} as const;

/** Workload tokens, the GitHub Actions token-request protocol, and the per-kind issuer discovery. */
export function registerWorkloadRoutes(app: FastifyInstance, options: WorkloadRouteOptions): void {
  const { identities, keys, secret, issuer } = options;

  function profileNamed(name: string): WorkloadProfile {
    const profile = identities.workloads.get(name);
    if (profile === undefined) throw oidcErrors.create('UNKNOWN_WORKLOAD', `no workload profile named ${JSON.stringify(name)}`);
    return profile;
  }

  async function mint(request: Omit<MintRequest, 'issuer' | 'now' | 'ttlSeconds'> & { ttlSeconds?: number }) {
    try {
      return await mintWorkloadToken(
        { issuer, now: options.now(), ttlSeconds: options.tokenTtlSeconds, ...request },
        keys.view.signing,
      );
    } catch (err) {
      if (err instanceof ClaimsError) throw oidcErrors.create('INVALID_CLAIMS', err.message);
      throw err;
    }
  }

  app.get('/workloads', async () => ({
    workloads: [...identities.workloads.values()].map((p) => ({
      name: p.name,
      kind: p.kind,
      issuer: workloadIssuer(issuer, p.kind),
      subject: resolveClaims(p.kind, p.claims).subject,
    })),
  }));

  // One issuer per kind (see workloadIssuer): each needs the discovery document verifiers fetch.
  app.get(
    '/workloads/:kind/.well-known/openid-configuration',
    { schema: { params: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: [...WORKLOAD_KINDS] } } } } },
    async (request) => {
      const { kind } = request.params as { kind: (typeof WORKLOAD_KINDS)[number] };
      return {
        issuer: workloadIssuer(issuer, kind),
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf'],
      };
    },
  );

  app.post('/workload/token', { schema: { body: tokenBody, response: { 200: tokenReply } } }, async (request) => {
    requireSecret(request.headers.authorization, secret);
    const body = request.body as TokenBody;
    const profile = profileNamed(body.workload);
    if (body.claims !== undefined) {
      const problems = claimProblems(body.claims, 'claims');
      if (problems.length > 0) throw oidcErrors.create('INVALID_CLAIMS', problems.join('; '));
    }
    const minted = await mint({
      profile,
      audience: body.audience ?? DEFAULT_AUDIENCE,
      ...(body.ttl !== undefined ? { ttlSeconds: body.ttl } : {}),
      expired: body.expired === true,
      ...(body.claims !== undefined ? { overrides: body.claims as Claims } : {}),
    });
    request.log.info({ workload: profile.name, subject: minted.subject, expired: body.expired === true }, 'workload token minted');
    return { token: minted.token, workload: profile.name, kind: profile.kind, issuer: minted.issuer, subject: minted.subject, expires_at: minted.expiresAt };
  });

  // The endpoint behind ACTIONS_ID_TOKEN_REQUEST_URL: GET with `audience` (and `api-version`)
  // in the query and ACTIONS_ID_TOKEN_REQUEST_TOKEN as the bearer; the answer is {"value": jwt}.
  app.get(
    '/actions/id-token/:workload',
    {
      schema: {
        params: { type: 'object', required: ['workload'], properties: { workload: PROFILE_NAME } },
        querystring: { type: 'object', properties: { audience: AUDIENCE, 'api-version': { type: 'string', maxLength: 32 } } },
        response: { 200: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } } },
      },
    },
    async (request) => {
      requireSecret(request.headers.authorization, secret);
      const profile = profileNamed((request.params as { workload: string }).workload);
      if (profile.kind !== 'github-actions') {
        throw oidcErrors.create('WRONG_WORKLOAD_KIND', `workload ${profile.name} is of kind ${profile.kind}, not github-actions`);
      }
      const { audience } = request.query as { audience?: string };
      // Without an audience GitHub uses the URL of the repository owner.
      const owner = resolveClaims(profile.kind, profile.claims).claims['repository_owner'];
      const minted = await mint({ profile, audience: audience ?? `https://github.com/${String(owner)}` });
      request.log.info({ workload: profile.name, subject: minted.subject }, 'actions token minted');
      return { value: minted.token };
    },
  );
}
