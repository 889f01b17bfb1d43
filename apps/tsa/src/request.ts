import type { HashAlgorithm } from '@sigstack/crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { tsaErrors } from './errors.js';
import { BoundedCache, buildTemplate } from './template.js';
import type { SlotSpec, SlotValues, Template } from './template.js';
import { DIGEST_LENGTH, HASH_BY_OID, OID, OID_BY_HASH, isOid } from './oids.js';
import type { AcceptedRequest } from './token.js';

/** Which policies a request may name, and the one a token states when it names none. */
export interface PolicyRules {
  readonly defaultPolicy: string;
  readonly accepted: ReadonlySet<string>;
}

/** The JSON request form of sigstore/timestamp-authority, after the route's schema. */
export interface JsonTimestampRequest {
  readonly artifactHash: string;
  readonly hashAlgorithm: string;
  readonly nonce?: unknown;
  readonly tsaPolicyOID?: string;
  readonly certificates?: boolean;
}

/** The route's JSON schema for the JSON form (unknown members are dropped, as upstream ignores them). */
export const jsonRequestSchema = {
  type: 'object',
  required: ['artifactHash', 'hashAlgorithm'],
  additionalProperties: false,
  properties: {
    artifactHash: { type: 'string', maxLength: 128 },
    hashAlgorithm: { type: 'string', maxLength: 32 },
    // A non-negative integer: a JSON number below 2^53 or a decimal string (a JSON number
    // above 2^53 has lost precision in JSON.parse). Checked in parseJsonRequest: ajv's type
    // coercion would turn one form into the other and hide the imprecise case.
    nonce: {},
    tsaPolicyOID: { type: 'string', maxLength: 512 },
    certificates: { type: 'boolean' },
  },
} as const;

const malformed = (message: string, cause?: unknown) =>
  tsaErrors.create('MALFORMED_TIMESTAMP_REQUEST', message, cause === undefined ? {} : { cause });

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hashFromOid(oid: string): HashAlgorithm {
  const hash = HASH_BY_OID[oid];
  if (hash) return hash;
  if (oid === OID.sha1) throw tsaErrors.create('WEAK_HASH_ALGORITHM', 'SHA-1 message imprints are refused; use SHA-256, SHA-384 or SHA-512');
  throw tsaErrors.create('UNSUPPORTED_HASH_ALGORITHM', `unsupported hash algorithm ${oid}; use SHA-256, SHA-384 or SHA-512`);
}

/** INTEGER contents that are minimal (DER) and non-negative, as RFC 3161 nonces are. */
function isDerNonce(content: Uint8Array): boolean {
  const [first, second] = content;
  if (first === undefined || first >= 0x80) return false;
  return !(first === 0x00 && second !== undefined && second < 0x80);
}

function checkDigest(hash: HashAlgorithm, digest: Uint8Array): void {
  const expected = DIGEST_LENGTH[hash];
  if (digest.length !== expected) {
    throw tsaErrors.create('DIGEST_LENGTH_MISMATCH', `a ${hash} digest is ${expected} bytes, got ${digest.length}`);
  }
}

function choosePolicy(requested: string | undefined, rules: PolicyRules): string {
  if (requested === undefined) return rules.defaultPolicy;
  if (!rules.accepted.has(requested)) throw tsaErrors.create('UNACCEPTED_POLICY', `TSA policy ${requested} is not accepted`);
  return requested;
}

/**
 * Parses an application/timestamp-query body (attacker-controlled). Only DER is
 * accepted: the request must re-encode to exactly the bytes sent, which also refuses
 * trailing data, so the imprint and nonce echoed in the token are exactly the client's.
 */
export function parseDerRequest(body: Uint8Array, rules: PolicyRules): AcceptedRequest {
  return parseStrictly(body, rules).accepted;
}

/** parseDerRequest, also telling which policy the query named (if any). */
function parseStrictly(body: Uint8Array, rules: PolicyRules): { accepted: AcceptedRequest; requested: string | undefined } {
  let request: TimeStampReq;
  try {
    request = AsnConvert.parse(body, TimeStampReq);
  } catch (cause) {
    throw malformed('body is not a DER TimeStampReq', cause);
  }
  let canonical: boolean;
  try {
    canonical = equalBytes(new Uint8Array(AsnConvert.serialize(request)), body);
  } catch (cause) {
    throw malformed('body is not a DER TimeStampReq', cause);
  }
  if (!canonical) throw malformed('body is not a DER TimeStampReq (not DER, or trailing data)');
  if (request.version !== 1) throw malformed(`unsupported TimeStampReq version ${String(request.version)}`);

  const { hashAlgorithm, hashedMessage } = request.messageImprint;
  const hash = hashFromOid(hashAlgorithm.algorithm);
  const parameters = hashAlgorithm.parameters;
  // RFC 5754: absent or NULL. Anything else is not an algorithm this TSA knows.
  if (parameters !== undefined && parameters !== null) {
    throw tsaErrors.create('UNSUPPORTED_HASH_ALGORITHM', 'hash algorithm parameters must be absent or NULL');
  }
  const digest = new Uint8Array(hashedMessage.buffer);
  checkDigest(hash, digest);
  if (request.extensions !== undefined) throw tsaErrors.create('UNACCEPTED_EXTENSION', 'request extensions are not accepted');
  if (request.nonce !== undefined && !isDerNonce(new Uint8Array(request.nonce))) throw malformed('nonce must be a non-negative INTEGER in minimal (DER) form');
  const policy = choosePolicy(request.reqPolicy, rules);
  const accepted: AcceptedRequest = {
    hash,
    hashParameters: parameters === null ? 'null' : 'absent',
    hashedMessage: digest.slice(),
    policy,
    certReq: request.certReq,
    ...(request.nonce === undefined ? {} : { nonce: new Uint8Array(request.nonce).slice() }),
  };
  return { accepted, requested: request.reqPolicy };
}

/** A query shape the parser has accepted once: its template, and what every query of the shape asks. */
interface QueryShape {
  readonly template: Template<'hashedMessage' | 'nonce'> | Template<'hashedMessage'>;
  readonly request: Omit<AcceptedRequest, 'hashedMessage' | 'nonce'>;
}

/**
 * parseDerRequest, with a fast path for query shapes it has accepted before. A shape
 * (hash and parameters, nonce length, certReq, policy) is encoded once by asn1-schema
 * into a template whose slots are the hashed message and the nonce (template.ts); a
 * body that is that encoding with any contents in the slots is the DER of a request
 * the strict parser accepts, with the slots' contents as its imprint and nonce. Any
 * other body goes through parseDerRequest, and an accepted one teaches its shape.
 */
export class DerRequestParser {
  readonly #rules: PolicyRules;
  readonly #shapes = new BoundedCache<QueryShape | null>(32);

  constructor(rules: PolicyRules) {
    this.#rules = rules;
  }

  #matched = 0;
  #strict = 0;

  /** Queries that matched a known shape, and those parsed by parseDerRequest (accepted or not). */
  get stats(): { readonly matched: number; readonly strict: number } {
    return { matched: this.#matched, strict: this.#strict };
  }

  parse(body: Uint8Array): AcceptedRequest {
    for (const shape of this.#shapes.values()) {
      if (shape?.template.matches(body)) {
        const { template, request } = shape;
        const hashedMessage = template.read(body, 'hashedMessage');
        if (!('nonce' in template.slots)) {
          this.#matched++;
          return { ...request, hashedMessage };
        }
        const nonce = (template as Template<'hashedMessage' | 'nonce'>).read(body, 'nonce');
        // The slot holds any bytes; only a DER nonce takes the fast path (the strict parser refuses the rest).
        if (isDerNonce(nonce)) {
          this.#matched++;
          return { ...request, hashedMessage, nonce };
        }
        break;
      }
    }
    this.#strict++;
    const { accepted, requested } = parseStrictly(body, this.#rules);
    this.#learn(accepted, requested, body);
    return accepted;
  }

  #learn(accepted: AcceptedRequest, requested: string | undefined, body: Uint8Array): void {
    const { hash, hashParameters, hashedMessage, nonce, policy, certReq } = accepted;
    const key = `${hash} ${hashParameters} ${nonce ? nonce.length : '-'} ${certReq} ${requested ?? '-'}`;
    if (this.#shapes.get(key) !== undefined) return;
    const encode = (v: SlotValues<'hashedMessage' | 'nonce'>): Uint8Array => {
      const query = new TimeStampReq({
        version: 1,
        messageImprint: new MessageImprint({
          hashAlgorithm: new AlgorithmIdentifier(hashParameters === 'null' ? { algorithm: OID_BY_HASH[hash], parameters: null } : { algorithm: OID_BY_HASH[hash] }),
          hashedMessage: new OctetString(v.hashedMessage as Uint8Array),
        }),
        certReq,
      });
      if (nonce) query.nonce = (v.nonce as Uint8Array).slice().buffer;
      if (requested !== undefined) query.reqPolicy = requested;
      return new Uint8Array(AsnConvert.serialize(query));
    };
    const specs = { hashedMessage: { kind: 'bytes', length: hashedMessage.length } as const, ...(nonce ? { nonce: { kind: 'bytes', length: nonce.length } as const } : {}) };
    const template = buildTemplate(specs as Record<'hashedMessage' | 'nonce', SlotSpec>, encode, new Date(0));
    // The body that taught the shape must be an instance of it, or the shape is not what it seems.
    const shape = template?.matches(body) ? { template, request: { hash, hashParameters, policy, certReq } } : null;
    this.#shapes.set(key, shape);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^(0|[1-9]\d{0,199})$/;

/** INTEGER content bytes of a non-negative integer: big-endian, minimal, a 0x00 first when the top bit is set. */
function integerContent(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function jsonNonce(nonce: unknown): Uint8Array {
  if (typeof nonce === 'number') {
    // Above 2^53 JSON.parse has already rounded the number: refuse rather than echo another value.
    if (!Number.isSafeInteger(nonce) || nonce < 0) throw malformed('nonce must be a non-negative integer below 2^53, or a decimal string');
    return integerContent(BigInt(nonce));
  }
  if (typeof nonce !== 'string' || !DECIMAL.test(nonce)) throw malformed('nonce must be a non-negative integer');
  return integerContent(BigInt(nonce));
}

/** Builds the request from the JSON form: {artifactHash, hashAlgorithm, nonce, tsaPolicyOID, certificates}. */
export function parseJsonRequest(body: JsonTimestampRequest, rules: PolicyRules): AcceptedRequest {
  const name = body.hashAlgorithm.toLowerCase();
  let hash: HashAlgorithm;
  if (name === 'sha256' || name === 'sha384' || name === 'sha512') hash = name;
  else if (name === 'sha1') hash = hashFromOid(OID.sha1);
  else throw tsaErrors.create('UNSUPPORTED_HASH_ALGORITHM', 'hashAlgorithm must be sha256, sha384 or sha512');

  if (!BASE64.test(body.artifactHash)) throw malformed('artifactHash must be standard base64');
  const digest = new Uint8Array(Buffer.from(body.artifactHash, 'base64'));
  checkDigest(hash, digest);

  // Upstream treats an empty tsaPolicyOID as none.
  const requested = body.tsaPolicyOID === undefined || body.tsaPolicyOID === '' ? undefined : body.tsaPolicyOID;
  if (requested !== undefined && !isOid(requested)) throw malformed('tsaPolicyOID is not an object identifier');
  const policy = choosePolicy(requested, rules);

  return {
    hash,
    // With NULL parameters, as Go's timestamp library writes its imprints.
    hashParameters: 'null',
    hashedMessage: digest,
    policy,
    certReq: body.certificates === true,
    ...(body.nonce === undefined ? {} : { nonce: jsonNonce(body.nonce) }),
  };
}
