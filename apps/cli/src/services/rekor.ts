// Rekor clients: v1 (POST /api/v1/log/entries, answers converted to a bundle's
// TransparencyLogEntry) and v2 (POST /api/v2/log/entries, which answers one already).
import { TransparencyLogEntry } from '@sigstore/protobuf-specs';
import { CliError } from '../errors.js';
import type { FetchLike } from '../io.js';
import type { TlogEntryJson } from '../sign/assemble.js';
import { json, joinUrl, request } from './http.js';

interface V1Entry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification?: {
    inclusionProof?: { checkpoint?: string; hashes?: string[]; logIndex: number; rootHash: string; treeSize: number };
    signedEntryTimestamp?: string;
  };
}

const hexToB64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** A Rekor v1 entry (the answer's single value) as a bundle's tlog entry. */
export function v1EntryToTlogEntry(entry: V1Entry): TlogEntryJson {
  const body = JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8')) as { kind?: string; apiVersion?: string };
  const proof = entry.verification?.inclusionProof;
  const json: TlogEntryJson = {
    logIndex: String(entry.logIndex),
    logId: { keyId: hexToB64(entry.logID) },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(entry.integratedTime),
    canonicalizedBody: entry.body,
  };
  if (entry.verification?.signedEntryTimestamp) json['inclusionPromise'] = { signedEntryTimestamp: entry.verification.signedEntryTimestamp };
  if (proof) {
    json['inclusionProof'] = {
      logIndex: String(proof.logIndex),
      rootHash: hexToB64(proof.rootHash),
      treeSize: String(proof.treeSize),
      hashes: (proof.hashes ?? []).map(hexToB64),
      ...(proof.checkpoint ? { checkpoint: { envelope: proof.checkpoint } } : {}),
    };
  }
  return json;
}

function singleEntry(service: string, url: string, value: unknown): V1Entry {
  const values = value !== null && typeof value === 'object' ? Object.values(value) : [];
  const entry = values[0] as V1Entry | undefined;
  if (values.length !== 1 || typeof entry?.body !== 'string') throw new CliError('SERVICE', `${service} ${url}: unexpected answer shape`);
  return entry;
}

/** Adds a proposed entry to a Rekor v1 log; a duplicate (409) answers with the logged one. */
export async function rekorV1Add(fetch: FetchLike, baseUrl: string, proposed: unknown): Promise<TlogEntryJson> {
  const url = joinUrl(baseUrl, '/api/v1/log/entries');
  const answer = await request(fetch, 'Rekor', url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(proposed) }, [200, 201, 409]);
  if (answer.status === 409) {
    const location = answer.headers.get('location');
    if (!location) throw new CliError('SERVICE', `Rekor ${url}: HTTP 409 without a Location`);
    const existing = new URL(location, url).toString();
    return v1EntryToTlogEntry(singleEntry('Rekor', existing, json('Rekor', existing, await request(fetch, 'Rekor', existing, { headers: { accept: 'application/json' } }))));
  }
  return v1EntryToTlogEntry(singleEntry('Rekor', url, json('Rekor', url, answer)));
}

/** Adds an entry to a Rekor v2 log (`{"hashedRekordRequestV002": ...}` or `{"dsseRequestV002": ...}`). */
export async function rekorV2Add(fetch: FetchLike, baseUrl: string, requestJson: unknown): Promise<TlogEntryJson> {
  const url = joinUrl(baseUrl, '/api/v2/log/entries');
  const answer = await request(fetch, 'Rekor', url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(requestJson) });
  const value = json<Record<string, unknown>>('Rekor', url, answer);
  try {
    // Normalise through protobuf-specs (drops unknown members, keeps protobuf JSON spelling).
    return TransparencyLogEntry.toJSON(TransparencyLogEntry.fromJSON(value)) as TlogEntryJson;
  } catch (cause) {
    throw new CliError('SERVICE', `Rekor ${url}: the answer is not a TransparencyLogEntry`, { cause });
  }
}

/** Entries of a Rekor v1 log whose artifact digest is `sha256Hex` (search index), as tlog entries. */
export async function rekorV1Search(fetch: FetchLike, baseUrl: string, sha256Hex: string): Promise<TlogEntryJson[]> {
  const url = joinUrl(baseUrl, '/api/v1/index/retrieve');
  const ids = json<string[]>('Rekor', url, await request(fetch, 'Rekor', url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hash: `sha256:${sha256Hex}` }) }));
  const out: TlogEntryJson[] = [];
  for (const id of ids.slice(0, 10)) {
    const entryUrl = joinUrl(baseUrl, `/api/v1/log/entries/${encodeURIComponent(id)}`);
    out.push(v1EntryToTlogEntry(singleEntry('Rekor', entryUrl, json('Rekor', entryUrl, await request(fetch, 'Rekor', entryUrl, { headers: { accept: 'application/json' } })))));
  }
  return out;
}
