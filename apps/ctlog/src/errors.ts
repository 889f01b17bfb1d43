import { defineErrorCodes } from '@sigstack/server';

/**
 * Every code the CT log answers with besides the server library's own. docs/ctlog.md has
 * the same table (a test checks it). Codes are stable: retire a code, never reuse it.
 */
export const ctErrors = defineErrorCodes({
  INVALID_CHAIN: {
    status: 400,
    description: 'The chain is empty, too long, not base64, or holds something that is not one strict DER certificate.',
  },
  UNTRUSTED_CHAIN: {
    status: 400,
    description: 'The chain does not verify up to one of the configured roots (a signature, an issuer, a CA constraint or a validity fails).',
  },
  WRONG_ENTRY_TYPE: {
    status: 400,
    description: 'A precertificate (with the poison extension) sent to add-chain, or a certificate without it sent to add-pre-chain.',
  },
  UNSUPPORTED_CERTIFICATE: {
    status: 400,
    description: 'A signature algorithm or key the log does not verify, or a precertificate issued by a precertificate signing certificate.',
  },
  INVALID_QUERY: {
    status: 400,
    description: 'A query parameter is out of range: a tree size beyond the current tree, start after end, first after second, a hash that is not 32 bytes.',
  },
  HASH_NOT_FOUND: { status: 404, description: 'get-proof-by-hash: no leaf with that hash in the tree of the size asked.' },
  OVERLOADED: { status: 503, description: 'Too many submissions are waiting to be sequenced; retry after the Retry-After seconds.' },
  LOG_CLOSED: { status: 503, description: 'The log is shutting down and takes no new submissions.' },
});

export type CtErrorCode = keyof typeof ctErrors.table;
