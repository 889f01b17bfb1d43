import { BundleError } from './error.js';
import { Fields, isJsonObject, parseJsonText, type JsonObject } from './json.js';

export const IN_TOTO_STATEMENT_V1_TYPE = 'https://in-toto.io/Statement/v1';
/** Older statements, still accepted on read. */
export const IN_TOTO_STATEMENT_V01_TYPE = 'https://in-toto.io/Statement/v0.1';
/** The DSSE payloadType of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface StatementSubject {
  name?: string;
  /** Algorithm name -> lower-case hex digest. */
  digest: Record<string, string>;
}

export interface InTotoStatement {
  _type: typeof IN_TOTO_STATEMENT_V1_TYPE | typeof IN_TOTO_STATEMENT_V01_TYPE;
  subject: StatementSubject[];
  predicateType: string;
  predicate?: JsonObject;
}

// Digest lengths (hex chars) for the algorithms whose size we know; other
// algorithms in the in-toto digest set (gitCommit, dirHash, ...) only need hex.
const HEX_LENGTHS: Readonly<Record<string, number>> = {
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  sha512_224: 56,
  sha512_256: 64,
  sha3_224: 56,
  sha3_256: 64,
  sha3_384: 96,
  sha3_512: 128,
};

function validateDigestSet(f: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = Object.keys(f.value);
  if (keys.length === 0) throw new BundleError('INVALID_FIELD', f.path, 'digest set must not be empty');
  for (const alg of keys) {
    const value = f.string(alg, { nonEmpty: true });
    // in-toto digests are lower-case hex; we do not guess at other spellings.
    if (!/^[0-9a-f]+$/.test(value)) throw new BundleError('INVALID_FIELD', f.at(alg), 'expected lower-case hex');
    const want = Object.hasOwn(HEX_LENGTHS, alg) ? HEX_LENGTHS[alg] : undefined;
    if (want !== undefined && value.length !== want) {
      throw new BundleError('INVALID_FIELD', f.at(alg), `expected ${want} hex characters`);
    }
    out[alg] = value;
  }
  return out;
}

function validateSubject(f: Fields): StatementSubject {
  const subject: StatementSubject = { digest: validateDigestSet(f.object('digest')) };
  const name = f.optionalString('name');
  if (name !== undefined) subject.name = name;
  return subject;
}

/** Parses an in-toto Statement (the payload of an in-toto DSSE envelope; attacker-controlled). */
export function parseStatement(input: string | Uint8Array): InTotoStatement {
  return statementFromJSON(parseJsonText(input));
}

/**
 * Validates an in-toto Statement v1 (or v0.1) JSON value. The in-toto parsing
 * rules say consumers MUST ignore unrecognised fields, so unlike bundles we do
 * not refuse them; the typed result keeps only the fields defined here (other
 * ResourceDescriptor members of a subject, such as uri, are dropped).
 */
export function statementFromJSON(value: unknown): InTotoStatement {
  const f = Fields.of(value, '');
  const type = f.oneOf('_type', [IN_TOTO_STATEMENT_V1_TYPE, IN_TOTO_STATEMENT_V01_TYPE] as const);
  const subject = f.array('subject', { min: 1 }).map((s) => validateSubject(Fields.of(s.value, s.path)));
  const statement: InTotoStatement = { _type: type, subject, predicateType: f.string('predicateType', { nonEmpty: true }) };
  if (f.has('predicate')) {
    const predicate = f.value['predicate'];
    if (!isJsonObject(predicate)) throw new BundleError('INVALID_FIELD', f.at('predicate'), 'expected a JSON object');
    statement.predicate = predicate;
  }
  return statement;
}

export function statementToJSON(statement: InTotoStatement): JsonObject {
  const json: JsonObject = {
    _type: statement._type,
    subject: statement.subject.map((s) => ({
      ...(s.name !== undefined ? { name: s.name } : {}),
      digest: { ...s.digest },
    })),
    predicateType: statement.predicateType,
  };
  if (statement.predicate !== undefined) json['predicate'] = statement.predicate;
  return json;
}

/**
 * The subjects whose digest set has `algorithm` equal to `digest` (bytes or
 * hex, compared case-insensitively for hex input).
 */
export function findSubjectsByDigest(
  statement: InTotoStatement,
  algorithm: string,
  digest: Uint8Array | string,
): StatementSubject[] {
  const want = typeof digest === 'string' ? digest.toLowerCase() : Buffer.from(digest).toString('hex');
  if (want === '') return [];
  return statement.subject.filter((s) => Object.hasOwn(s.digest, algorithm) && s.digest[algorithm] === want);
}

/** The first subject matching the digest, or undefined. */
export function findSubjectByDigest(
  statement: InTotoStatement,
  algorithm: string,
  digest: Uint8Array | string,
): StatementSubject | undefined {
  return findSubjectsByDigest(statement, algorithm, digest)[0];
}
