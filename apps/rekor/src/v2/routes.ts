import type { FastifyInstance } from 'fastify';
import { TransparencyLogEntry } from '@sigstore/protobuf-specs';
import { TILE_WIDTH, formatEntryBundle, parseTilePath, tileWidth } from '@sigstack/merkle';
import { rekorErrors } from '../errors.js';
import { fromStoreError, rekorV2ErrorHandler } from '../http-errors.js';
import type { V2Log } from '../logs.js';
import { openAdmission, type Admission } from '../admission.js';

/** Entry bundles carry uint16 lengths: no body may be longer. */
const MAX_BODY = 0xffff;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const FRESH = 'no-cache';

const tileParams = {
  type: 'object',
  required: ['*'],
  properties: { L: { type: 'string', maxLength: 2 }, '*': { type: 'string', maxLength: 64 } },
} as const;

/**
 * Rekor v2 (rekor-tiles): POST /api/v2/log/entries answering a TransparencyLogEntry, and
 * the c2sp.org/tlog-tiles read API under /api/v2 (checkpoint, hash tiles, entry bundles).
 */
export function registerV2(app: FastifyInstance, log: V2Log, admission: Admission = openAdmission({ threads: 0, maxPending: 0 })): void {
  app.setErrorHandler(rekorV2ErrorHandler);

  app.post<{ Body: unknown }>(
    '/api/v2/log/entries',
    { schema: { body: { type: 'object', properties: { hashedRekordRequestV002: { type: 'object' }, dsseRequestV002: { type: 'object' } } } } },
    async (request, reply) => {
      const admitted = await admission.v2(request.body);
      if (admitted.body.length > MAX_BODY) {
        throw rekorErrors.create('ENTRY_TOO_LARGE', `the entry body is ${admitted.body.length} bytes; an entry bundle holds at most ${MAX_BODY}`);
      }
      const result = await log.store.append({ data: admitted.body }).catch((err: unknown) => {
        throw fromStoreError(err);
      });
      if (result.duplicate) {
        throw rekorErrors.create('ENTRY_EXISTS', `an equivalent entry already exists in the log at index ${result.entry.index}`, {
          headers: { 'x-log-index': String(result.entry.index) },
        });
      }
      const head = result.treeHead;
      const entry = TransparencyLogEntry.toJSON({
        logIndex: String(result.entry.index),
        logId: { keyId: log.logId },
        kindVersion: { kind: admitted.kind, version: admitted.version },
        // Rekor v2 has no SET and no integrated time: clients rely on the proof and timestamps.
        integratedTime: '0',
        inclusionPromise: undefined,
        inclusionProof: {
          logIndex: String(result.entry.index),
          rootHash: Buffer.from(head.rootHash),
          treeSize: String(head.size),
          hashes: (result.inclusionProof ?? []).map((h) => Buffer.from(h)),
          checkpoint: { envelope: head.checkpoint },
        },
        canonicalizedBody: Buffer.from(admitted.body),
      });
      return reply.code(201).send(entry);
    },
  );

  app.get('/api/v2/checkpoint', async (_request, reply) => {
    const head = await log.store.treeHead();
    return reply.header('cache-control', FRESH).type('text/plain; charset=utf-8').send(head.checkpoint);
  });

  app.get<{ Params: { '*': string } }>('/api/v2/tile/entries/*', { schema: { params: tileParams } }, async (request, reply) => {
    const path = parsePath(`tile/entries/${request.params['*']}`);
    if (path.kind !== 'entries') throw notFound();
    const size = (await log.store.treeHead()).size;
    const available = tileWidth(size, 0, path.index);
    if (available < path.width) throw notFound();
    const start = path.index * TILE_WIDTH;
    const entries = await log.store.entries(start, start + path.width);
    if (entries.length !== path.width) throw notFound();
    return reply
      .header('cache-control', path.width === TILE_WIDTH ? IMMUTABLE : FRESH)
      .type('application/octet-stream')
      .send(Buffer.from(formatEntryBundle(entries.map((e) => e.data))));
  });

  app.get<{ Params: { L: string; '*': string } }>('/api/v2/tile/:L/*', { schema: { params: tileParams } }, async (request, reply) => {
    const path = parsePath(`tile/${request.params.L}/${request.params['*']}`);
    if (path.kind !== 'tile') throw notFound();
    const size = (await log.store.treeHead()).size;
    if (tileWidth(size, path.level, path.index) < path.width) throw notFound();
    const hashes = await log.store.tile(path.level, path.index, size).catch((err: unknown) => {
      throw fromStoreError(err);
    });
    if (!hashes) throw notFound();
    return reply
      .header('cache-control', path.width === TILE_WIDTH ? IMMUTABLE : FRESH)
      .type('application/octet-stream')
      .send(Buffer.from(hashes.subarray(0, path.width * 32)));
  });
}

function parsePath(path: string): ReturnType<typeof parseTilePath> {
  try {
    return parseTilePath(path);
  } catch {
    throw notFound();
  }
}

function notFound(): Error {
  return rekorErrors.create('TILE_NOT_FOUND', 'no such tile in the tree');
}
