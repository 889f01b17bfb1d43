import { CryptoError } from './errors.js';
import { decodeBase64Strict, isBytes, toBase64 } from './encoding.js';

/** One PEM block: its label (the text after BEGIN) and the bytes it armors. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

// RFC 7468 labels are printable ASCII without '-', single spaces between words.
const LABEL = /^[!-,.-~]+(?: [!-,.-~]+)*$/;
const BEGIN = /^-----BEGIN (.*)-----$/;
const END = /^-----END (.*)-----$/;
// Base64 text lines; trailing spaces/tabs are tolerated as RFC 7468's lax parser allows.
const BODY_LINE = /^[A-Za-z0-9+/=]+[ \t]*$/;

// Bounds attacker-controlled input before any work is done on it.
const MAX_PEM_CHARS = 4 * 1024 * 1024;

/** Encodes bytes as one PEM block with 64-character lines and a final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  if (typeof label !== 'string' || !LABEL.test(label)) {
    throw new CryptoError('INVALID_ARGUMENT', 'PEM label is not a valid RFC 7468 label');
  }
  if (!isBytes(der)) throw new CryptoError('INVALID_ARGUMENT', 'PEM body must be bytes');
  const body = toBase64(der);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}

/**
 * Decodes text holding exactly one PEM block (whitespace around it is allowed).
 * With `label`, the block's label must be that one (or one of those).
 */
export function decodePem(text: string, label?: string | readonly string[]): PemBlock {
  const blocks = decodePemBundle(text);
  if (blocks.length !== 1) {
    throw new CryptoError('INVALID_PEM', `expected one PEM block, found ${blocks.length}`);
  }
  const block = blocks[0] as PemBlock;
  if (label !== undefined) {
    const allowed = typeof label === 'string' ? [label] : label;
    if (!allowed.includes(block.label)) {
      throw new CryptoError('INVALID_PEM', `unexpected PEM label "${printable(block.label)}"`);
    }
  }
  return block;
}

/** Decodes one or more PEM blocks separated only by whitespace (e.g. a certificate chain). */
export function decodePemBundle(text: string): PemBlock[] {
  if (typeof text !== 'string') throw new CryptoError('INVALID_ARGUMENT', 'PEM input must be a string');
  if (text.length > MAX_PEM_CHARS) throw new CryptoError('INVALID_PEM', 'PEM input is too large');

  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] as string).trimEnd();
    i++;
    if (line.trim() === '') continue;
    const begin = BEGIN.exec(line);
    if (begin === null) throw new CryptoError('INVALID_PEM', 'text outside PEM armor');
    const label = begin[1] as string;
    if (!LABEL.test(label)) throw new CryptoError('INVALID_PEM', 'invalid PEM label');

    let body = '';
    let closed = false;
    while (i < lines.length) {
      const inner = (lines[i] as string).trimEnd();
      i++;
      const end = END.exec(inner);
      if (end !== null) {
        if (end[1] !== label) throw new CryptoError('INVALID_PEM', 'PEM END label does not match BEGIN');
        closed = true;
        break;
      }
      // Headers (Proc-Type, DEK-Info) mean legacy encryption we do not support.
      if (!BODY_LINE.test(inner)) throw new CryptoError('INVALID_PEM', 'invalid line in PEM body');
      body += inner.replace(/[ \t]+$/, '');
    }
    if (!closed) throw new CryptoError('INVALID_PEM', 'PEM block has no END line');
    if (body === '') throw new CryptoError('INVALID_PEM', 'PEM block is empty');
    blocks.push({ label, der: decodeBase64Strict(body, 'INVALID_PEM', 'PEM body') });
  }
  if (blocks.length === 0) throw new CryptoError('INVALID_PEM', 'no PEM block found');
  return blocks;
}

// Labels come from untrusted text; keep error messages short and printable.
function printable(label: string): string {
  return label.length > 64 ? `${label.slice(0, 64)}...` : label;
}
