import { readFile } from 'node:fs/promises';
import { importPublicKey } from '@sigstack/crypto';
import { ServiceError, build } from '@sigstack/server';
import type { RoutesPlugin } from '@sigstack/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { Counter } from 'prom-client';
import { CaError, CertificateAuthority } from './ca/authority.js';
import type { CaBackend } from './ca/authority.js';
import { ephemeralBackend, fileBackend } from './ca/backends.js';
import type { FulcioConfig } from './config.js';
import { DEV_ISSUER_CONFIG } from './config.js';
import { CtLogError, httpCtLog } from './ct/client.js';
import type { CtLog } from './ct/client.js';
import { fulcioErrors } from './errors.js';
import { challengeClaim, parseIdentityConfig } from './identity/config.js';
import type { IdentityConfig, IssuerConfig } from './identity/config.js';
import { principalFor } from './identity/principal.js';
import { TokenVerifier } from './identity/verifier.js';
import { checkProofOfPossession, parseClientKey, parseCsr } from './keys.js';
import type { ClientKey } from './keys.js';
import { v1BodySchema, v2BodySchema } from './schemas.js';
import type { V1Body, V2Body } from './schemas.js';

export const PEM_CHAIN = 'application/pem-certificate-chain';

/** Everything the routes need, built from the config (or injected by tests). */
export interface FulcioServices {
  readonly ca: CertificateAuthority;
  readonly identity: IdentityConfig;
  readonly verifier: TokenVerifier;
  /** null: CT off, certificates are issued without SCTs. */
  readonly ctLog: CtLog | null;
}

export interface FulcioAppOptions {
  readonly config: FulcioConfig;
  readonly services: FulcioServices;
  readonly logDestination?: DestinationStream;
}

/** The CA backend the config names. */
export async function resolveBackend(config: FulcioConfig): Promise<CaBackend> {
  if (config.CA === 'ephemeral') return ephemeralBackend({ keyType: config.EPHEMERAL_KEY_TYPE });
  if (!config.CA_KEY_FILE || !config.CA_CHAIN_FILE) throw new CaError('CA=file needs CA_KEY_FILE and CA_CHAIN_FILE');
  return fileBackend(config.CA_KEY_FILE, config.CA_CHAIN_FILE, config.CA_KEY_PASSWORD?.reveal());
}

/** Builds the CA, the issuer configuration, the token verifier and the CT client from the config. */
export async function resolveServices(config: FulcioConfig, backend?: CaBackend): Promise<FulcioServices> {
  const identityText = config.ISSUER_CONFIG_FILE ? await readFile(config.ISSUER_CONFIG_FILE, 'utf8') : DEV_ISSUER_CONFIG;
  const identity = parseIdentityConfig(identityText);
  const ca = new CertificateAuthority(backend ?? (await resolveBackend(config)), { lifetimeMs: config.CERT_LIFETIME });
  const verifier = new TokenVerifier(identity, {
    ...(config.OIDC_AUDIENCE ? { audience: config.OIDC_AUDIENCE } : {}),
    clockToleranceSec: Math.ceil(config.OIDC_CLOCK_TOLERANCE / 1000),
    fetchTimeoutMs: config.OIDC_FETCH_TIMEOUT,
    jwksCooldownMs: config.JWKS_REFRESH_COOLDOWN,
  });
  let ctLog: CtLog | null = null;
  if (config.CT_LOG_URL !== null) {
    const publicKey = config.CT_LOG_PUBLIC_KEY_FILE ? importPublicKey(await readFile(config.CT_LOG_PUBLIC_KEY_FILE, 'utf8')) : undefined;
    ctLog = httpCtLog(config.CT_LOG_URL, { timeoutMs: config.CT_TIMEOUT, ...(publicKey ? { publicKey } : {}) });
  }
  return { ca, identity, verifier, ctLog };
}

/** The v2 and v1 Fulcio HTTP API. */
export function fulcioRoutes(services: FulcioServices): RoutesPlugin<FulcioConfig> {
  return (app, { config, registry }) => {
    const issued = new Counter({
      name: 'fulcio_new_certs',
      help: 'Certificates issued, by whether an SCT is embedded',
      labelNames: ['sct'],
      registers: [registry],
    });
    const { ca } = services;
    const chainPem = ca.chainPem;
    const configuration = { issuers: configurationIssuers(services.identity) };

    /** Verifies the token and the key, issues, and returns the leaf PEM and whether an SCT is embedded. */
    const issue = async (token: string | undefined, key: () => { csr?: string; publicKey?: string | Uint8Array; proof?: Uint8Array }) => {
      if (!token) throw fulcioErrors.create('MISSING_IDENTITY_TOKEN', 'no OIDC identity token in the request');
      const principal = principalFor(await services.verifier.verify(token), services.identity);
      const input = key();
      let client: ClientKey;
      if (input.csr !== undefined) {
        client = parseCsr(input.csr);
      } else if (input.publicKey !== undefined) {
        client = parseClientKey(input.publicKey);
        checkProofOfPossession(client, principal.name, input.proof ?? new Uint8Array());
      } else {
        throw fulcioErrors.create('MISSING_PUBLIC_KEY', 'the request needs a publicKeyRequest or a certificateSigningRequest');
      }
      try {
        if (!services.ctLog) {
          const der = await ca.certificate(client.spki, principal.identity);
          issued.inc({ sct: 'none' });
          return { der, embedded: false };
        }
        const precert = await ca.precertificate(client.spki, principal.identity);
        let sct;
        try {
          sct = await services.ctLog.addPreChain([precert.der, ...ca.chain]);
        } catch (cause) {
          const why = cause instanceof CtLogError ? cause.message : 'the CT log failed';
          throw fulcioErrors.create('CT_LOG_UNAVAILABLE', `${why}; no certificate was issued`, { cause, headers: { 'retry-after': '5' } });
        }
        const der = await precert.finalize([sct]);
        issued.inc({ sct: 'embedded' });
        return { der, embedded: true };
      } catch (cause) {
        if (cause instanceof ServiceError) throw cause;
        // Nothing was returned: a CA that cannot sign is the service's failure, not the client's.
        throw fulcioErrors.create('CA_UNAVAILABLE', cause instanceof CaError ? cause.message : 'the CA key failed to sign', { cause });
      }
    };

    app.post<{ Body: V2Body }>(
      '/api/v2/signingCert',
      { bodyLimit: config.SIGNING_CERT_BODY_LIMIT, schema: { body: v2BodySchema } },
      async (request) => {
        // Attacker-controlled: the schema fixed the shape; values are parsed strictly below.
        const body = request.body;
        const token = body.credentials?.oidcIdentityToken ?? body.credentials?.oidc_identity_token ?? bearer(request);
        const { der, embedded } = await issue(token, () => {
          const csr = body.certificateSigningRequest ?? body.certificate_signing_request;
          if (csr) return { csr: bytesToText(decodeBytes(csr, 'certificateSigningRequest', 'INVALID_CSR')) };
          const pkr = body.publicKeyRequest ?? body.public_key_request;
          if (!pkr) return {};
          const publicKey = pkr.publicKey ?? pkr.public_key;
          const proof = pkr.proofOfPossession ?? pkr.proof_of_possession;
          return {
            publicKey: publicKey?.content ?? '',
            proof: proof ? decodeBytes(proof, 'proofOfPossession', 'INVALID_SIGNATURE') : new Uint8Array(),
          };
        });
        const chain = { certificates: [pem(der), ...chainPem] };
        return embedded ? { signedCertificateEmbeddedSct: { chain } } : { signedCertificateDetachedSct: { chain } };
      },
    );

    app.get('/api/v2/trustBundle', async () => ({ chains: [{ certificates: chainPem }] }));
    app.get('/api/v2/configuration', async () => configuration);

    if (config.LEGACY_API) {
      app.post<{ Body: V1Body }>(
        '/api/v1/signingCert',
        { bodyLimit: config.SIGNING_CERT_BODY_LIMIT, schema: { body: v1BodySchema } },
        async (request, reply) => {
          const body = request.body;
          const { der } = await issue(bearer(request), () => {
            if (body.certificateSigningRequest) return { csr: bytesToText(decodeBytes(body.certificateSigningRequest, 'certificateSigningRequest', 'INVALID_CSR')) };
            if (!body.publicKey) return {};
            return {
              publicKey: decodeBytes(body.publicKey.content ?? '', 'publicKey.content', 'INVALID_PUBLIC_KEY'),
              proof: body.signedEmailAddress ? decodeBytes(body.signedEmailAddress, 'signedEmailAddress', 'INVALID_SIGNATURE') : new Uint8Array(),
            };
          });
          return reply.code(201).type(PEM_CHAIN).send([pem(der), ...chainPem].join('\n').trim());
        },
      );
      app.get('/api/v1/rootCert', async (_request, reply) => reply.type(PEM_CHAIN).send(chainPem.join('\n').trim()));
    }
  };
}

/** A ready (not listening) Fulcio; tests use `inject()`. */
export function buildFulcio(options: FulcioAppOptions): Promise<FastifyInstance> {
  return build({
    name: 'fulcio',
    config: options.config,
    routes: fulcioRoutes(options.services),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

function pem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64');
  let out = '-----BEGIN CERTIFICATE-----\n';
  for (let i = 0; i < body.length; i += 64) out += `${body.slice(i, i + 64)}\n`;
  return `${out}-----END CERTIFICATE-----\n`;
}

/** protobuf JSON `bytes`: standard or URL-safe base64, padded or not. */
function decodeBytes(text: string, field: string, code: 'INVALID_CSR' | 'INVALID_SIGNATURE' | 'INVALID_PUBLIC_KEY'): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw fulcioErrors.create(code, `${field} is not base64`);
  return new Uint8Array(Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64'));
}

function bytesToText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** GetConfiguration: the issuers, in protobuf JSON (empty fields left out). */
function configurationIssuers(identity: IdentityConfig): Record<string, unknown>[] {
  const describe = (issuer: IssuerConfig, key: Record<string, string>) => ({
    ...key,
    audience: issuer.clientId,
    challengeClaim: challengeClaim(issuer),
    ...(issuer.spiffeTrustDomain ? { spiffeTrustDomain: issuer.spiffeTrustDomain } : {}),
    issuerType: issuer.type,
    ...(issuer.subjectDomain ? { subjectDomain: issuer.subjectDomain } : {}),
    ...(issuer.skipEmailVerification ? { skipEmailVerification: true } : {}),
  });
  return [
    ...[...identity.issuers.values()].map((issuer) => describe(issuer, { issuerUrl: issuer.issuerUrl })),
    ...identity.metaIssuers.map((meta) => describe(meta.config, { wildcardIssuerUrl: meta.pattern })),
  ];
}
