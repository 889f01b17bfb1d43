import canonicalize from 'canonicalize';
import type { FastifyInstance } from 'fastify';
import { sign } from '@sigstack/crypto';
import { hashLeaf } from '@sigstack/merkle';
import type { StoredEntry, TreeHead } from '@sigstack/tlog-store';
import { rekorErrors } from '../errors.js';
import { fromStoreError, rekorV1ErrorHandler } from '../http-errors.js';
import { epochOf, type V1Log } from '../logs.js';
import { openAdmission, type Admission } from '../admission.js';
import { verifierFromPem } from '../verifiers.js';
import { admitV1 } from './admit.js';

const MAX_SEARCH_QUERIES = 10;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * The `LogEntry` value Rekor returns for one entry, keyed by its entry ID. Log ID and SET
 * are those of the key the entry was logged under (a retired key's, for older entries).
 */
export function logEntry(log: V1Log, entry: StoredEntry, head: TreeHead, proof: readonly Uint8Array[]): Record<string, unknown> {
  const body = Buffer.from(entry.data).toString('base64');
  const integratedTime = Math.floor(entry.integratedAt / 1000);
  const signer = epochOf(log, entry.index) ?? log;
  const logID = hex(signer.logId);
  // The SET: the log's signature over the canonical JSON of these four fields.
  const payload = canonicalize({ body, integratedTime, logID, logIndex: entry.index }) as string;
  const signedEntryTimestamp = Buffer.from(sign(signer.key, Buffer.from(payload))).toString('base64');
  return {
    [`${log.treeIdHex}${hex(entry.leafHash)}`]: {
      body,
      integratedTime,
      logID,
      logIndex: entry.index,
      verification: {
        inclusionProof: {
          checkpoint: head.checkpoint,
          hashes: proof.map(hex),
          logIndex: entry.index,
          rootHash: hex(head.rootHash),
          treeSize: head.size,
        },
        signedEntryTimestamp,
      },
    },
  };
}

/**
 * An entry with its inclusion proof in the latest tree; an entry logged under a retired key
 * in the last tree that key signed (its checkpoint is then by the entry's own key).
 */
async function withProof(log: V1Log, entry: StoredEntry, latest?: TreeHead): Promise<Record<string, unknown>> {
  const head = epochOf(log, entry.index)?.head;
  if (head !== undefined) return logEntry(log, entry, head, await log.store.inclusionProof(entry.index, head.size));
  // The latest head read with the entry: the proof then reads no more than cached tiles.
  if (latest !== undefined) return logEntry(log, entry, latest, await log.store.inclusionProof(entry.index, latest.size));
  const { treeHead, proof } = await log.store.proveInLatest(entry.index);
  return logEntry(log, entry, treeHead, proof);
}

/** A 64-hex UUID or an 80-hex entry ID with this log's tree ID; anything else is INVALID_QUERY. */
function parseEntryId(log: V1Log, id: string): Buffer | undefined {
  const lower = id.toLowerCase();
  if (/^[0-9a-f]{64}$/.test(lower)) return Buffer.from(lower, 'hex');
  if (/^[0-9a-f]{80}$/.test(lower)) return lower.startsWith(log.treeIdHex) ? Buffer.from(lower.slice(16), 'hex') : undefined;
  throw rekorErrors.create('INVALID_QUERY', 'an entry UUID is 64 hex digits, an entry ID 80 (tree ID and UUID)');
}

async function byUuid(log: V1Log, id: string): Promise<StoredEntry | undefined> {
  const uuid = parseEntryId(log, id);
  return uuid && log.store.entryByIdentity(uuid);
}

const entryIdSchema = { type: 'string', minLength: 1, maxLength: 80 } as const;
const proposedEntrySchema = {
  type: 'object',
  required: ['kind', 'apiVersion', 'spec'],
  properties: { kind: { type: 'string' }, apiVersion: { type: 'string' }, spec: { type: 'object' } },
} as const;

function checkTreeId(log: V1Log, treeID: string | undefined): void {
  if (treeID !== undefined && treeID !== log.treeId) {
    throw rekorErrors.create('INVALID_QUERY', `unknown tree ID ${JSON.stringify(treeID.slice(0, 24))}; this log is ${log.treeId}`);
  }
}

/** The Rekor v1 REST API (openapi.yaml of sigstore/rekor) over one log. */
export function registerV1(app: FastifyInstance, log: V1Log, admission: Admission = openAdmission({ threads: 0, maxPending: 0 })): void {
  app.setErrorHandler(rekorV1ErrorHandler);

  app.post<{ Body: unknown }>('/api/v1/log/entries', { schema: { body: proposedEntrySchema } }, async (request, reply) => {
    const admitted = await admission.v1(request.body);
    const result = await log.store.append({ data: admitted.body, keys: admitted.keys }).catch((err: unknown) => {
      throw fromStoreError(err);
    });
    const entryId = `${log.treeIdHex}${hex(result.entry.leafHash)}`;
    const location = `/api/v1/log/entries/${entryId}`;
    if (result.duplicate) {
      throw rekorErrors.create('ENTRY_EXISTS', `an equivalent entry already exists in the transparency log with UUID ${entryId}`, {
        headers: { location },
      });
    }
    const body = logEntry(log, result.entry, result.treeHead, result.inclusionProof ?? []);
    return reply.code(201).header('location', location).header('etag', entryId).send(body);
  });

  app.get<{ Params: { entryUUID: string } }>(
    '/api/v1/log/entries/:entryUUID',
    { schema: { params: { type: 'object', required: ['entryUUID'], properties: { entryUUID: entryIdSchema } } } },
    async (request) => {
      const uuid = parseEntryId(log, request.params.entryUUID);
      const found = uuid && (await log.store.entryWithHead({ identity: uuid }));
      if (!found) throw rekorErrors.create('ENTRY_NOT_FOUND', 'no entry with this UUID');
      return withProof(log, found.entry, found.treeHead);
    },
  );

  app.get<{ Querystring: { logIndex: number } }>(
    '/api/v1/log/entries',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['logIndex'],
          additionalProperties: false,
          properties: { logIndex: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    },
    async (request) => {
      const found = await log.store.entryWithHead({ index: request.query.logIndex });
      if (!found) throw rekorErrors.create('ENTRY_NOT_FOUND', `no entry at log index ${request.query.logIndex}`);
      return withProof(log, found.entry, found.treeHead);
    },
  );

  app.post<{ Body: { entryUUIDs?: string[]; logIndexes?: number[]; entries?: unknown[] } }>(
    '/api/v1/log/entries/retrieve',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            entryUUIDs: { type: 'array', items: entryIdSchema },
            logIndexes: { type: 'array', items: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
            entries: { type: 'array', items: proposedEntrySchema },
          },
        },
      },
    },
    async (request) => {
      const { entryUUIDs = [], logIndexes = [], entries = [] } = request.body;
      if (entryUUIDs.length + logIndexes.length + entries.length > MAX_SEARCH_QUERIES) {
        throw rekorErrors.create('TOO_MANY_QUERIES', `more than max allowed ${MAX_SEARCH_QUERIES} entries in request`);
      }
      const found: (StoredEntry | undefined)[] = [];
      for (const id of entryUUIDs) found.push(await byUuid(log, id));
      for (const proposed of entries) {
        const matches = await log.store.entriesByLeafHash(hashLeaf(admitV1(proposed).body));
        found.push(matches[0]);
      }
      for (const index of logIndexes) found.push(await log.store.entryAt(index));
      const head = await log.store.treeHead();
      const out: Record<string, unknown>[] = [];
      for (const entry of found) {
        if (!entry || entry.index >= head.size) continue;
        const proven = epochOf(log, entry.index)?.head ?? head;
        out.push(logEntry(log, entry, proven, await log.store.inclusionProof(entry.index, proven.size)));
      }
      return out;
    },
  );

  app.get<{ Querystring: { stable?: boolean } }>(
    '/api/v1/log',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { stable: { type: 'boolean' } } } } },
    async () => {
      const head = await log.store.treeHead();
      return { rootHash: hex(head.rootHash), treeSize: head.size, signedTreeHead: head.checkpoint, treeID: log.treeId, inactiveShards: [] };
    },
  );

  app.get<{ Querystring: { treeID?: string } }>(
    '/api/v1/log/publicKey',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { treeID: { type: 'string', maxLength: 24 } } } } },
    async (request, reply) => {
      checkTreeId(log, request.query.treeID);
      return reply.type('application/x-pem-file').send(log.publicKeyPem);
    },
  );

  app.get<{ Querystring: { firstSize?: number; lastSize: number; treeID?: string } }>(
    '/api/v1/log/proof',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['lastSize'],
          additionalProperties: false,
          properties: {
            firstSize: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 },
            lastSize: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            treeID: { type: 'string', maxLength: 24 },
          },
        },
      },
    },
    async (request) => {
      const { firstSize = 1, lastSize, treeID } = request.query;
      checkTreeId(log, treeID);
      if (firstSize > lastSize) throw rekorErrors.create('INVALID_QUERY', `firstSize(${firstSize}) must be less than lastSize(${lastSize})`);
      const head = await log.store.treeHead();
      if (lastSize > head.size) {
        throw rekorErrors.create('INVALID_QUERY', `the tree size requested(${lastSize}) was greater than what is currently observable(${head.size})`);
      }
      const [hashes, root] = await Promise.all([log.store.consistencyProof(firstSize, lastSize), log.store.rootAt(lastSize)]).catch(
        (err: unknown) => {
          throw fromStoreError(err);
        },
      );
      return { rootHash: hex(root), hashes: hashes.map(hex) };
    },
  );

  app.post<{ Body: { hash?: string; email?: string; publicKey?: { format: string; content?: string; url?: string }; operator?: 'and' | 'or' } }>(
    '/api/v1/index/retrieve',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            hash: { type: 'string', pattern: '^(sha512:)?[0-9a-fA-F]{128}$|^(sha256:)?[0-9a-fA-F]{64}$|^(sha1:)?[0-9a-fA-F]{40}$' },
            email: { type: 'string', minLength: 3, maxLength: 320 },
            publicKey: {
              type: 'object',
              required: ['format'],
              properties: {
                format: { type: 'string', enum: ['pgp', 'x509', 'minisign', 'ssh', 'tuf'] },
                content: { type: 'string', maxLength: 65536 },
                url: { type: 'string', maxLength: 2048 },
              },
            },
            operator: { type: 'string', enum: ['and', 'or'] },
          },
        },
      },
    },
    async (request) => {
      const { hash, email, publicKey, operator = 'or' } = request.body;
      const keys: string[] = [];
      if (hash !== undefined) {
        const lower = hash.toLowerCase();
        keys.push(lower.includes(':') ? lower : `${lower.length === 128 ? 'sha512' : lower.length === 40 ? 'sha1' : 'sha256'}:${lower}`);
      }
      if (email !== undefined) keys.push(email.toLowerCase());
      if (publicKey !== undefined) {
        if (publicKey.format !== 'x509') throw rekorErrors.create('INVALID_QUERY', 'the PKI format requested is not supported by this server');
        if (publicKey.content === undefined) throw rekorErrors.create('INVALID_QUERY', 'publicKey.content is required (fetching keys by URL is not supported)');
        const pem = Buffer.from(publicKey.content, 'base64');
        keys.push(verifierFromPem(pem).fingerprint);
      }
      if (keys.length === 0) throw rekorErrors.create('INVALID_QUERY', 'give at least one of hash, email or publicKey');
      const sets = await Promise.all(keys.map((k) => log.store.indexesByKey(k)));
      let result = sets[0] ?? [];
      for (const s of sets.slice(1)) {
        result = operator === 'and' ? result.filter((i) => s.includes(i)) : [...new Set([...result, ...s])].sort((a, b) => a - b);
      }
      const out: string[] = [];
      for (const index of result) {
        const entry = await log.store.entryAt(index);
        if (entry) out.push(`${log.treeIdHex}${hex(entry.leafHash)}`);
      }
      return out;
    },
  );
}
