import type { FastifyInstance } from 'fastify';
import { LogStoreError } from '@sigstack/tlog-store';
import { encodeDigitallySigned } from '@sigstack/x509';
import type { SignedCertificateTimestamp } from '@sigstack/x509';
import type { CtLog } from './ct-log.js';
import { ctErrors } from './errors.js';
import type { EntryKind } from './validate.js';

/** The log store's refusals, as this service's codes; anything else stays as it is. */
export function fromStoreError(err: unknown): unknown {
  if (!(err instanceof LogStoreError)) return err;
  if (err.code === 'OVERLOADED') return ctErrors.create('OVERLOADED', err.message, { cause: err, headers: { 'retry-after': '1' } });
  if (err.code === 'CLOSED') return ctErrors.create('LOG_CLOSED', err.message, { cause: err });
  if (err.code === 'OUT_OF_RANGE') return ctErrors.create('INVALID_QUERY', err.message, { cause: err });
  return err;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64, strictly: the canonical encoding only. Input is attacker-controlled. */
function decodeBase64(text: string, what: string, code: 'INVALID_CHAIN' | 'INVALID_QUERY'): Uint8Array {
  const bytes = B64.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
  if (!bytes || bytes.toString('base64') !== text) throw ctErrors.create(code, `${what} is not canonical base64`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

const nat = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const string = { type: 'string' } as const;
const strings = { type: 'array', items: string } as const;

const sctSchema = {
  type: 'object',
  required: ['sct_version', 'id', 'timestamp', 'extensions', 'signature'],
  properties: { sct_version: { type: 'integer' }, id: string, timestamp: { type: 'integer' }, extensions: string, signature: string },
} as const;

const sthSchema = {
  type: 'object',
  required: ['tree_size', 'timestamp', 'sha256_root_hash', 'tree_head_signature'],
  properties: { tree_size: { type: 'integer' }, timestamp: { type: 'integer' }, sha256_root_hash: string, tree_head_signature: string },
} as const;

function sctJson(sct: SignedCertificateTimestamp) {
  return {
    sct_version: sct.version,
    id: b64(sct.logId),
    timestamp: sct.timestamp,
    extensions: b64(sct.extensions),
    signature: b64(encodeDigitallySigned(sct.signature)),
  };
}

export interface RouteOptions {
  readonly maxChain: number;
  readonly maxGetEntries: number;
}

/** RFC 6962 section 4: the v1 API, under /ct/v1 (the caller adds any prefix). */
export async function registerCtRoutes(app: FastifyInstance, log: CtLog, options: RouteOptions): Promise<void> {
  const rootsJson = { certificates: log.validator.roots.map((r) => b64(r.der)) };
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw fromStoreError(err);
    }
  };

  const chainBody = {
    type: 'object',
    required: ['chain'],
    additionalProperties: false,
    // A DER certificate over 64 KiB is not one a Sigstore CA issues.
    properties: { chain: { type: 'array', maxItems: options.maxChain, items: { type: 'string', maxLength: 87_384 } } },
  } as const;

  const addRoute = (path: string, kind: EntryKind) =>
    app.post<{ Body: { chain: string[] } }>(path, { schema: { body: chainBody, response: { 200: sctSchema } } }, async (request) => {
      // Attacker-controlled: decoded strictly here, parsed strictly by the validator.
      const chain = request.body.chain.map((text, i) => decodeBase64(text, `chain[${i}]`, 'INVALID_CHAIN'));
      return sctJson(await guard(() => log.submit(chain, kind)));
    });
  addRoute('/ct/v1/add-chain', 'x509_entry');
  addRoute('/ct/v1/add-pre-chain', 'precert_entry');

  app.get('/ct/v1/get-sth', { schema: { response: { 200: sthSchema } } }, () => guard(() => log.sth()));

  app.get<{ Querystring: { first: number; second: number } }>(
    '/ct/v1/get-sth-consistency',
    {
      schema: {
        querystring: { type: 'object', required: ['first', 'second'], properties: { first: nat, second: nat } },
        response: { 200: { type: 'object', required: ['consistency'], properties: { consistency: strings } } },
      },
    },
    async (request) => ({ consistency: (await guard(() => log.consistency(request.query.first, request.query.second))).map(b64) }),
  );

  app.get<{ Querystring: { hash: string; tree_size: number } }>(
    '/ct/v1/get-proof-by-hash',
    {
      schema: {
        querystring: { type: 'object', required: ['hash', 'tree_size'], properties: { hash: { type: 'string', maxLength: 64 }, tree_size: nat } },
        response: { 200: { type: 'object', required: ['leaf_index', 'audit_path'], properties: { leaf_index: { type: 'integer' }, audit_path: strings } } },
      },
    },
    async (request) => {
      // A '+' not percent-encoded arrives as a space; base64 has no spaces, so put it back.
      const hash = decodeBase64(request.query.hash.replaceAll(' ', '+'), 'hash', 'INVALID_QUERY');
      if (hash.length !== 32) throw ctErrors.create('INVALID_QUERY', 'hash must be a 32-byte SHA-256 leaf hash');
      const proof = await guard(() => log.proofByHash(hash, request.query.tree_size));
      return { leaf_index: proof.leafIndex, audit_path: proof.auditPath.map(b64) };
    },
  );

  const entrySchema = { type: 'object', required: ['leaf_input', 'extra_data'], properties: { leaf_input: string, extra_data: string } } as const;
  app.get<{ Querystring: { start: number; end: number } }>(
    '/ct/v1/get-entries',
    {
      schema: {
        querystring: { type: 'object', required: ['start', 'end'], properties: { start: nat, end: nat } },
        response: { 200: { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: entrySchema } } } },
      },
    },
    async (request) => {
      const entries = await guard(() => log.entries(request.query.start, request.query.end, options.maxGetEntries));
      return { entries: entries.map((e) => ({ leaf_input: b64(e.leafInput), extra_data: b64(e.extraData) })) };
    },
  );

  app.get<{ Querystring: { leaf_index: number; tree_size: number } }>(
    '/ct/v1/get-entry-and-proof',
    {
      schema: {
        querystring: { type: 'object', required: ['leaf_index', 'tree_size'], properties: { leaf_index: nat, tree_size: nat } },
        response: {
          200: {
            type: 'object',
            required: ['leaf_input', 'extra_data', 'audit_path'],
            properties: { leaf_input: string, extra_data: string, audit_path: strings },
          },
        },
      },
    },
    async (request) => {
      const e = await guard(() => log.entryAndProof(request.query.leaf_index, request.query.tree_size));
      return { leaf_input: b64(e.leafInput), extra_data: b64(e.extraData), audit_path: e.auditPath.map(b64) };
    },
  );

  app.get('/ct/v1/get-roots', { schema: { response: { 200: { type: 'object', required: ['certificates'], properties: { certificates: strings } } } } }, async () => rootsJson);
}
