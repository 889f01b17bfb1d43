import { readDsseV001Request, type DsseV001Request } from './dsse-v001.js';
import { readHashedRekordV001, type HashedRekordV001 } from './hashedrekord-v001.js';
import { bodyHeader, unsupportedKind } from './common.js';

/** What a client may POST to the Rekor v1 API that this stack accepts. */
export type RekorV1Request = HashedRekordV001 | DsseV001Request;

/**
 * Strictly parses a Rekor v1 proposed entry (attacker-controlled request body).
 * hashedrekord 0.0.1 is submitted in its stored form; dsse 0.0.1 as proposedContent.
 */
export function parseRekorV1Request(input: string | Uint8Array | unknown): RekorV1Request {
  const { f, kind, apiVersion } = bodyHeader(input, '');
  switch (`${kind}/${apiVersion}`) {
    case 'hashedrekord/0.0.1':
      return readHashedRekordV001(f);
    case 'dsse/0.0.1':
      return readDsseV001Request(f);
    default:
      throw unsupportedKind('kind', kind, apiVersion);
  }
}
