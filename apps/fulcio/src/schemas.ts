/**
 * JSON schemas of the signingCert bodies, in protobuf JSON as grpc-gateway reads it:
 * camelCase or the proto's snake_case names, `bytes` as base64. The server's ajv strips
 * unknown properties rather than rejecting them, so each object lists its names in
 * `propertyNames`: an unknown field is a 400 INVALID_REQUEST.
 */

const MAX_TOKEN = 32 * 1024;
const MAX_KEY = 16 * 1024;

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const nullable = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

const publicKey = {
  type: 'object',
  propertyNames: { enum: ['algorithm', 'content'] },
  properties: {
    // Ignored, as upstream ignores it: the algorithm is the key's.
    algorithm: { enum: ['PUBLIC_KEY_ALGORITHM_UNSPECIFIED', 'RSA_PSS', 'ECDSA', 'ED25519', 0, 1, 2, 3] },
    content: text(MAX_KEY),
  },
} as const;

const publicKeyRequest = {
  type: 'object',
  propertyNames: { enum: ['publicKey', 'public_key', 'proofOfPossession', 'proof_of_possession'] },
  properties: {
    publicKey,
    public_key: publicKey,
    proofOfPossession: text(MAX_KEY),
    proof_of_possession: text(MAX_KEY),
  },
} as const;

export const v2BodySchema = {
  type: 'object',
  propertyNames: { enum: ['credentials', 'publicKeyRequest', 'public_key_request', 'certificateSigningRequest', 'certificate_signing_request'] },
  properties: {
    credentials: {
      type: 'object',
      propertyNames: { enum: ['oidcIdentityToken', 'oidc_identity_token'] },
      properties: { oidcIdentityToken: text(MAX_TOKEN), oidc_identity_token: text(MAX_TOKEN) },
    },
    publicKeyRequest,
    public_key_request: publicKeyRequest,
    certificateSigningRequest: text(MAX_KEY),
    certificate_signing_request: text(MAX_KEY),
  },
} as const;

interface PublicKeyJson {
  readonly algorithm?: string | number;
  readonly content?: string;
}

interface PublicKeyRequestJson {
  readonly publicKey?: PublicKeyJson;
  readonly public_key?: PublicKeyJson;
  readonly proofOfPossession?: string;
  readonly proof_of_possession?: string;
}

export interface V2Body {
  readonly credentials?: { readonly oidcIdentityToken?: string; readonly oidc_identity_token?: string };
  readonly publicKeyRequest?: PublicKeyRequestJson;
  readonly public_key_request?: PublicKeyRequestJson;
  readonly certificateSigningRequest?: string;
  readonly certificate_signing_request?: string;
}

/** The deprecated v1 body, as Fulcio's Go client (pkg/api, used by cosign) sends it: nulls included. */
export const v1BodySchema = {
  type: 'object',
  propertyNames: { enum: ['publicKey', 'signedEmailAddress', 'certificateSigningRequest'] },
  properties: {
    publicKey: {
      type: ['object', 'null'],
      propertyNames: { enum: ['algorithm', 'content'] },
      properties: { algorithm: nullable(64), content: nullable(MAX_KEY) },
    },
    signedEmailAddress: nullable(MAX_KEY),
    certificateSigningRequest: nullable(MAX_KEY),
  },
} as const;

export interface V1Body {
  readonly publicKey?: { readonly algorithm?: string | null; readonly content?: string | null } | null;
  readonly signedEmailAddress?: string | null;
  readonly certificateSigningRequest?: string | null;
}
