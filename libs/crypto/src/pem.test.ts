import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { decodePem, decodePemBundle, encodePem } from './pem.js';

const bytes = Uint8Array.from({ length: 100 }, (_, i) => i * 7);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return (error as CryptoError).code;
  }
  return undefined;
}

describe('PEM', () => {
  it('encodes with 64-character lines and decodes back', () => {
    const pem = encodePem('PUBLIC KEY', bytes);
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
    expect(lines.at(-1)).toBe('-----END PUBLIC KEY-----');
    expect(lines.slice(1, -1).every((line) => line.length <= 64)).toBe(true);
    expect(decodePem(pem)).toEqual({ label: 'PUBLIC KEY', der: bytes });
    expect(decodePem(pem, 'PUBLIC KEY').der).toEqual(bytes);
    expect(decodePem(pem, ['CERTIFICATE', 'PUBLIC KEY']).label).toBe('PUBLIC KEY');
  });

  it('tolerates CRLF, surrounding blank lines and any line length', () => {
    const body = Buffer.from(bytes).toString('base64');
    const pem = `\r\n-----BEGIN X-----\r\n${body.slice(0, 10)}\r\n${body.slice(10)}  \r\n-----END X-----\r\n\r\n`;
    expect(decodePem(pem).der).toEqual(bytes);
  });

  it('splits a bundle of several blocks in order', () => {
    const pem = encodePem('CERTIFICATE', bytes) + '\n' + encodePem('CERTIFICATE', bytes.slice(1)) + encodePem('X509 CRL', bytes.slice(2));
    const blocks = decodePemBundle(pem);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE', 'X509 CRL']);
    expect(blocks[2]?.der).toEqual(bytes.slice(2));
    expect(code(() => decodePem(pem))).toBe('INVALID_PEM');
  });

  it.each([
    ['empty input', ''],
    ['no armor', Buffer.from(bytes).toString('base64')],
    ['missing END', '-----BEGIN A-----\nAAAA\n'],
    ['mismatched END', '-----BEGIN A-----\nAAAA\n-----END B-----\n'],
    ['empty body', '-----BEGIN A-----\n-----END A-----\n'],
    ['bad base64 character', '-----BEGIN A-----\nAA*A\n-----END A-----\n'],
    ['bad base64 length', '-----BEGIN A-----\nAAA\n-----END A-----\n'],
    ['padding in the middle', '-----BEGIN A-----\nAA==\nAAAA\n-----END A-----\n'],
    ['non-canonical trailing bits', '-----BEGIN A-----\nAB==\n-----END A-----\n'],
    ['trailing garbage', '-----BEGIN A-----\nAAAA\n-----END A-----\ngarbage\n'],
    ['leading garbage', 'hello\n-----BEGIN A-----\nAAAA\n-----END A-----\n'],
    ['RFC 1421 headers', '-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END A-----\n'],
    ['lowercase-invalid label chars', '-----BEGIN A--B-----\nAAAA\n-----END A--B-----\n'],
  ])('rejects %s with INVALID_PEM', (_name, text) => {
    expect(code(() => decodePemBundle(text))).toBe('INVALID_PEM');
  });

  it('rejects a label other than the expected one', () => {
    expect(code(() => decodePem(encodePem('PRIVATE KEY', bytes), 'PUBLIC KEY'))).toBe('INVALID_PEM');
  });

  it('refuses to encode an invalid label', () => {
    expect(code(() => encodePem('BAD-LABEL', bytes))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodePem(' LEADING', bytes))).toBe('INVALID_ARGUMENT');
  });
});
