import { boolean, commonFields, duration, oneOf, optional, secret, size, string } from '@sigstack/server';
import type { ConfigOf, Field } from '@sigstack/server';

/** A URL, or `off`: where precertificates go, or that CT is not used. */
function ctLogUrl(): Field<string | null> {
  return {
    kind: 'url-or-off',
    description: 'RFC 6962 CT log base URL (POST <url>/ct/v1/add-pre-chain), or "off" to issue without SCTs',
    secret: false,
    optional: false,
    hasDefault: true,
    defaultValue: 'http://127.0.0.1:6962',
    parse(raw) {
      if (raw === 'off' || raw === false) return { ok: true, value: null };
      if (typeof raw === 'string' && URL.canParse(raw) && ['http:', 'https:'].includes(new URL(raw).protocol)) return { ok: true, value: raw };
      return { ok: false, problem: 'must be an http(s) URL or "off"' };
    },
  };
}

/** Every setting of Fulcio, by environment variable name (a config file may set them too). */
export const fulcioConfigSchema = {
  ...commonFields({ port: 5555 }),
  ISSUER_CONFIG_FILE: optional(
    string({ description: 'Fulcio issuer configuration (JSON or YAML, upstream format); unset: the local dev IdP at http://127.0.0.1:5556' }),
  ),
  OIDC_AUDIENCE: optional(string({ description: 'audience every token must carry, instead of each issuer\'s ClientID' })),
  OIDC_CLOCK_TOLERANCE: duration({ default: '30s', description: 'leeway for token exp, nbf and iat' }),
  OIDC_FETCH_TIMEOUT: duration({ default: '10s', description: 'timeout of discovery and JWKS requests to an issuer' }),
  JWKS_REFRESH_COOLDOWN: duration({ default: '10s', description: 'least time between two JWKS fetches caused by unknown key ids' }),
  CA: oneOf(['ephemeral', 'file'], { default: 'ephemeral', description: 'CA backend: a generated in-memory chain (dev), or key and chain files' }),
  CA_KEY_FILE: optional(string({ description: 'file CA: PEM private key (encrypted PKCS#8, cosign/sigstore-encrypted, or plain)' })),
  CA_KEY_PASSWORD: optional(secret({ description: 'file CA: password of CA_KEY_FILE' })),
  CA_CHAIN_FILE: optional(string({ description: 'file CA: PEM chain, the issuing certificate first, the root last' })),
  EPHEMERAL_KEY_TYPE: oneOf(['ecdsa-p256', 'ecdsa-p384', 'ed25519'], { default: 'ecdsa-p256', description: 'ephemeral CA: key type of the generated intermediate' }),
  CERT_LIFETIME: duration({ default: '10m', description: 'validity of issued certificates' }),
  CT_LOG_URL: ctLogUrl(),
  CT_LOG_PUBLIC_KEY_FILE: optional(string({ description: 'PEM public key of the CT log: every SCT is verified with it before it is embedded' })),
  CT_TIMEOUT: duration({ default: '10s', description: 'timeout of one add-pre-chain request' }),
  SIGNING_CERT_BODY_LIMIT: size({ min: 1024, default: '64KiB', description: 'largest signingCert request body' }),
  LEGACY_API: boolean({ default: true, description: 'serve the v1 API (POST /api/v1/signingCert, GET /api/v1/rootCert)' }),
};

export type FulcioConfig = ConfigOf<typeof fulcioConfigSchema>;

/**
 * The issuer configuration used when ISSUER_CONFIG_FILE is unset: the dev IdP of apps/oidc
 * (docs/oidc.md), with Fulcio's built-in CI issuer types so no ci-issuer-metadata is needed.
 */
export const DEV_ISSUER_CONFIG = `
oidc-issuers:
  http://127.0.0.1:5556:
    issuer-url: http://127.0.0.1:5556
    client-id: sigstore
    type: email
  http://127.0.0.1:5556/workloads/github-actions:
    issuer-url: http://127.0.0.1:5556/workloads/github-actions
    client-id: sigstore
    type: github-workflow
  http://127.0.0.1:5556/workloads/gitlab-ci:
    issuer-url: http://127.0.0.1:5556/workloads/gitlab-ci
    client-id: sigstore
    type: gitlab-pipeline
  http://127.0.0.1:5556/workloads/buildkite:
    issuer-url: http://127.0.0.1:5556/workloads/buildkite
    client-id: sigstore
    type: buildkite-job
  http://127.0.0.1:5556/workloads/kubernetes:
    issuer-url: http://127.0.0.1:5556/workloads/kubernetes
    client-id: sigstore
    type: kubernetes
  http://127.0.0.1:5556/workloads/spiffe:
    issuer-url: http://127.0.0.1:5556/workloads/spiffe
    client-id: sigstore
    type: spiffe
    spiffe-trust-domain: sigstack.test
`;
