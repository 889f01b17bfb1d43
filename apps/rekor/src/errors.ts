import { defineErrorCodes } from '@sigstack/server';

/**
 * Every code this service answers with, and its status (docs/rekor.md has the same table;
 * a test checks it). Codes are stable API: retire a code, never reuse it.
 */
export const rekorErrors = defineErrorCodes({
  UNSUPPORTED_KIND: { status: 400, description: 'The entry kind or version is not one this log accepts; the message names those it does.' },
  INVALID_ENTRY: { status: 400, description: 'The entry is malformed: a missing or unknown field, bad base64 or hex, a digest of the wrong length.' },
  INVALID_KEY: { status: 400, description: 'The public key or certificate in the entry does not parse, or cannot verify this kind of signature.' },
  INVALID_SIGNATURE: { status: 400, description: 'The signature does not verify against the key or certificate in the entry.' },
  DIGEST_MISMATCH: { status: 400, description: 'A digest the client computed does not match the content it sent.' },
  INVALID_QUERY: { status: 400, description: 'A malformed UUID, log index, tree ID, tree size or search query.' },
  ENTRY_NOT_FOUND: { status: 404, description: 'No entry with this UUID or log index.' },
  TILE_NOT_FOUND: { status: 404, description: 'The tile or entry bundle is not (yet) in the tree.' },
  ENTRY_EXISTS: { status: 409, description: 'An equivalent entry is already logged; Location names it. The log holds it once.' },
  ENTRY_TOO_LARGE: { status: 413, description: 'A v2 entry body is larger than an entry bundle can hold (65535 bytes).' },
  TOO_MANY_QUERIES: { status: 422, description: 'A retrieve request asks for more than 10 entries.' },
  OVERLOADED: { status: 503, description: 'Too many entries are waiting to be sequenced; retry after the Retry-After seconds.' },
  LOG_CLOSED: { status: 503, description: 'The log is shutting down and takes no new entries.' },
});

export type RekorErrorCode = keyof typeof rekorErrors.table;
