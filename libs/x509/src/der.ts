import { X509Error } from './errors.js';
import type { X509ErrorCode } from './errors.js';

/**
 * A minimal, strict DER element walker. It finds element boundaries (tag, length) so the
 * CT code can slice a certificate (TBS, extensions, SPKI) and re-encode a TBS without an
 * extension, in microseconds; checkCanonical holds every element to its one DER encoding,
 * and certificate.ts decodes what the elements mean. Input is attacker-controlled:
 * definite, minimal lengths only, low tag numbers only, nothing past the end.
 */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly valueStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_3: 0xa3,
} as const;

export function readTlv(buf: Uint8Array, offset: number, limit: number, code: X509ErrorCode): Tlv {
  if (offset + 2 > limit) throw new X509Error(code, 'truncated DER element');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new X509Error(code, 'high-tag-number DER form is not used here');
  const first = buf[offset + 1] as number;
  let length: number;
  let valueStart: number;
  if (first < 0x80) {
    length = first;
    valueStart = offset + 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite form; four length bytes already exceed any certificate.
    if (count === 0 || count > 4) throw new X509Error(code, 'unsupported DER length form');
    if (offset + 2 + count > limit) throw new X509Error(code, 'truncated DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] as number);
    if (buf[offset + 2] === 0 || length < 0x80) throw new X509Error(code, 'non-minimal DER length');
    valueStart = offset + 2 + count;
  }
  const end = valueStart + length;
  if (end > limit) throw new X509Error(code, 'DER element runs past its container');
  return { tag, start: offset, valueStart, end };
}

/** The one element that makes up all of `buf`, with the tag expected. */
export function readSingle(buf: Uint8Array, tag: number, code: X509ErrorCode): Tlv {
  const tlv = readTlv(buf, 0, buf.length, code);
  if (tlv.tag !== tag) throw new X509Error(code, `expected DER tag 0x${tag.toString(16)}`);
  if (tlv.end !== buf.length) throw new X509Error(code, 'trailing bytes after DER element');
  return tlv;
}

/** The children of a constructed element, which must exactly fill it. */
export function children(buf: Uint8Array, parent: Tlv, code: X509ErrorCode): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new X509Error(code, 'expected a constructed DER element');
  const out: Tlv[] = [];
  let offset = parent.valueStart;
  while (offset < parent.end) {
    const child = readTlv(buf, offset, parent.end, code);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** Walks every constructed element below `tlv`, so a truncated or overlong inner length fails here. */
export function checkNesting(buf: Uint8Array, tlv: Tlv, code: X509ErrorCode, depth = 0): void {
  if (depth > 32) throw new X509Error(code, 'DER nesting is too deep');
  if ((tlv.tag & 0x20) === 0) return;
  for (const child of children(buf, tlv, code)) checkNesting(buf, child, code, depth + 1);
}

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** One DER element from its tag and the concatenated content parts. */
export function encodeTlv(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const header = encodeLength(length);
  const out = new Uint8Array(1 + header.length + length);
  out[0] = tag;
  out.set(header, 1);
  let offset = 1 + header.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function slice(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

export function contents(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.valueStart, tlv.end);
}

/** Dotted text of an OBJECT IDENTIFIER's content bytes (minimal base-128 arcs only). */
export function decodeOid(bytes: Uint8Array, code: X509ErrorCode): string {
  if (bytes.length === 0 || bytes.length > 64) throw new X509Error(code, 'invalid OBJECT IDENTIFIER length');
  let text = '';
  let value = 0;
  let started = false;
  let first = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (!started && b === 0x80) throw new X509Error(code, 'non-minimal OBJECT IDENTIFIER arc');
    started = true;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new X509Error(code, 'OBJECT IDENTIFIER arc is too large');
    if ((b & 0x80) === 0) {
      if (first) {
        // The first subidentifier packs two arcs: 40 * first + second.
        text = value < 40 ? `0.${value}` : value < 80 ? `1.${value - 40}` : `2.${value - 80}`;
        first = false;
      } else {
        text += `.${value}`;
      }
      value = 0;
      started = false;
    } else if (i === bytes.length - 1) {
      throw new X509Error(code, 'truncated OBJECT IDENTIFIER');
    }
  }
  return text;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const DER_UTC_TIME = /^\d{12}Z$/;
const DER_GENERALIZED_TIME = /^\d{14}Z$/;

/** Whether the digits of a DER time (YYMMDDHHMMSS or YYYYMMDDHHMMSS) name a real instant. */
export function timeFromDigits(text: string, utc: boolean): Date | undefined {
  const n = (from: number, to: number): number => Number(text.slice(from, to));
  const y = utc ? n(0, 2) : n(0, 4);
  const year = utc ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  const at = utc ? 2 : 4;
  const [month, day, hour, minute, second] = [n(at, at + 2), n(at + 2, at + 4), n(at + 4, at + 6), n(at + 6, at + 8), n(at + 8, at + 10)];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over (month 13, second 60) and maps years 0-99 to 19xx: only a real time reads back.
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? date : undefined;
}

/** A RELATIVE-OID's (or an OID's) arcs: each minimal base-128, the last one complete. */
function checkArcs(bytes: Uint8Array, code: X509ErrorCode): void {
  if (bytes.length === 0) throw new X509Error(code, 'empty object identifier');
  let first = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (first && b === 0x80) throw new X509Error(code, 'non-minimal object identifier arc');
    first = (b & 0x80) === 0;
  }
  if (!first) throw new X509Error(code, 'truncated object identifier');
}

/**
 * Checks that every element below `tlv` (not inside OCTET or BIT STRING contents) has its
 * one DER encoding: SEQUENCE and SET constructed, strings primitive, BOOLEAN 0x00/0xff, NULL empty, INTEGER and
 * ENUMERATED non-empty, OIDs minimal, BIT STRING unused bits 0-7 (0 when empty) and zero, UTCTime
 * and GeneralizedTime as YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ naming a real instant, UTF8String
 * valid UTF-8, BMPString and UniversalString whole characters.
 */
export function checkCanonical(buf: Uint8Array, tlv: Tlv, code: X509ErrorCode, depth = 0): void {
  if (depth > 32) throw new X509Error(code, 'DER nesting is too deep');
  const tag = tlv.tag;
  if (tag & 0x20) {
    if ((tag & 0xc0) === 0 && STRING_TAGS.has(tag & 0x1f)) throw new X509Error(code, 'constructed string in DER');
    // Of the other universal types only SEQUENCE, SET, EXTERNAL, EMBEDDED PDV and CHARACTER STRING are constructed.
    if ((tag & 0xc0) === 0 && !CONSTRUCTED_TAGS.has(tag & 0x1f)) throw new X509Error(code, `universal type ${tag & 0x1f} cannot be constructed`);
    for (const child of children(buf, tlv, code)) checkCanonical(buf, child, code, depth + 1);
    return;
  }
  if ((tag & 0xc0) !== 0) return; // context, application and private primitives: opaque here
  if (tag === 0x10 || tag === 0x11) throw new X509Error(code, 'primitive SEQUENCE or SET');
  if (tag === 0x00) throw new X509Error(code, 'end-of-contents in DER');
  if (tag === 0x0f) throw new X509Error(code, 'reserved universal tag 15');
  const body = buf.subarray(tlv.valueStart, tlv.end);
  switch (tag) {
    case 0x01:
      if (body.length !== 1 || (body[0] !== 0 && body[0] !== 0xff)) throw new X509Error(code, 'BOOLEAN is not DER');
      return;
    case 0x02:
    case 0x0a:
      if (body.length === 0) throw new X509Error(code, 'empty INTEGER');
      return;
    case 0x03: {
      const unused = body[0];
      // Unused bits: 0-7, none in an empty string, and (DER) the padding bits zero.
      if (unused === undefined || unused > 7 || (body.length === 1 && unused !== 0) || ((body[body.length - 1] as number) & ((1 << unused) - 1)) !== 0) {
        throw new X509Error(code, 'BIT STRING unused bits are not DER');
      }
      return;
    }
    case 0x05:
      if (body.length !== 0) throw new X509Error(code, 'NULL with contents');
      return;
    case 0x06:
    case 0x0d:
      checkArcs(body, code);
      return;
    case 0x0c:
      try {
        UTF8_FATAL.decode(body);
      } catch (cause) {
        throw new X509Error(code, 'UTF8String is not valid UTF-8', { cause });
      }
      return;
    case 0x1e:
      if (body.length % 2 !== 0) throw new X509Error(code, 'BMPString has an odd length');
      return;
    case 0x1c:
      if (body.length % 4 !== 0) throw new X509Error(code, 'UniversalString length is not a multiple of 4');
      return;
    case 0x17:
    case 0x18: {
      const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
      const utc = tag === 0x17;
      if (!(utc ? DER_UTC_TIME : DER_GENERALIZED_TIME).test(text) || timeFromDigits(text, utc) === undefined) {
        throw new X509Error(code, `${utc ? 'UTCTime' : 'GeneralizedTime'} ${JSON.stringify(text)} is not a DER time`);
      }
      return;
    }
    default:
      return;
  }
}

/** Universal tag numbers of the string types (BIT and OCTET STRING and the character strings). */
const STRING_TAGS: ReadonlySet<number> = new Set([0x03, 0x04, 0x0c, 0x12, 0x17, 0x18, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e]);

/**
 * Whether `der` is one element in strict DER, all the way down (see checkCanonical); for
 * other DER structures read by hand, such as RFC 3161 timestamps. Throws X509Error
 * INVALID_ARGUMENT otherwise.
 */
export function checkStrictDer(der: Uint8Array): void {
  if (!(der instanceof Uint8Array)) throw new X509Error('INVALID_ARGUMENT', 'DER must be bytes');
  const tlv = readTlv(der, 0, der.length, 'INVALID_ARGUMENT');
  if (tlv.end !== der.length) throw new X509Error('INVALID_ARGUMENT', 'trailing bytes after DER element');
  checkCanonical(der, tlv, 'INVALID_ARGUMENT');
}

/** Universal tag numbers of the types that are constructed. */
const CONSTRUCTED_TAGS: ReadonlySet<number> = new Set([0x08, 0x0b, 0x10, 0x11, 0x1d]);
