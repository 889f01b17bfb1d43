import { readDsseV001, type DsseV001 } from './dsse-v001.js';
import { readHashedRekordV001, type HashedRekordV001 } from './hashedrekord-v001.js';
import { readIntotoV002, type IntotoV002 } from './intoto-v002.js';
import { readDsseV002, readHashedRekordV002, type DsseV002, type HashedRekordV002 } from './v2.js';
import { bodyHeader, unsupportedKind } from './common.js';

/** Every Rekor entry body this stack reads, discriminated by kind and apiVersion. */
export type RekorEntryBody = HashedRekordV001 | DsseV001 | IntotoV002 | HashedRekordV002 | DsseV002;

/**
 * Strictly parses a Rekor entry body (the decoded canonicalizedBody of a tlog
 * entry, or a log leaf). The input is attacker-controlled; `path` prefixes the
 * field names in errors (e.g. `verificationMaterial.tlogEntries[0].canonicalizedBody`).
 */
export function parseEntryBody(input: string | Uint8Array | unknown, path = ''): RekorEntryBody {
  const { f, kind, apiVersion } = bodyHeader(input, path);
  switch (`${kind}/${apiVersion}`) {
    case 'hashedrekord/0.0.1':
      return readHashedRekordV001(f);
    case 'dsse/0.0.1':
      return readDsseV001(f);
    case 'intoto/0.0.2':
      return readIntotoV002(f);
    case 'hashedrekord/0.0.2':
      return readHashedRekordV002(f);
    case 'dsse/0.0.2':
      return readDsseV002(f);
    default:
      throw unsupportedKind(f.at('kind'), kind, apiVersion);
  }
}
