/**
 * The few DER encodings the CA writes itself. Issuing is on the hot path, so the
 * certificate is assembled from precomputed byte strings rather than an ASN.1 schema
 * library; tests parse every issued certificate with independent parsers.
 */

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  if (length < 0x10000) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  return Uint8Array.of(0x83, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

/** One element from its tag and its content parts. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
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

export const SEQUENCE = 0x30;
export const OCTET_STRING = 0x04;
export const BIT_STRING = 0x03;
export const UTF8_STRING = 0x0c;
export const IA5_STRING = 0x16;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;

export function seq(...parts: readonly Uint8Array[]): Uint8Array {
  return tlv(SEQUENCE, ...parts);
}

/** The DER of an OBJECT IDENTIFIER given in dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [a = 0n, b = 0n, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

const TEXT = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return TEXT.encode(text);
}

export function utf8String(text: string): Uint8Array {
  return tlv(UTF8_STRING, TEXT.encode(text));
}

/** A BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(BIT_STRING, Uint8Array.of(0), bytes);
}

/** One Extension: extnID, critical (only when TRUE, as DER wants), extnValue. */
export function extension(oidDer: Uint8Array, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oidDer, TRUE, tlv(OCTET_STRING, value)) : seq(oidDer, tlv(OCTET_STRING, value));
}

const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, whole seconds, Zulu. */
export function time(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(UTC_TIME, utf8(`${two(year % 100)}${rest}`));
  return tlv(GENERALIZED_TIME, utf8(`${year}${rest}`));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Where one element sits in a buffer. */
export interface Element {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/**
 * Reads one element at `offset`, strictly (definite minimal lengths, low tags, nothing
 * past `limit`); null when the bytes are not DER. For attacker-controlled input.
 */
export function readElement(buf: Uint8Array, offset: number, limit = buf.length): Element | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) return null;
  const first = buf[offset + 1] as number;
  let length = first;
  let valueStart = offset + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 3 || offset + 2 + count > limit) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] as number);
    if (buf[offset + 2] === 0 || length < 0x80) return null;
    valueStart += count;
  }
  const end = valueStart + length;
  return end > limit ? null : { tag, start: offset, valueStart, end };
}

/** The children of a constructed element, which must fill it exactly; null otherwise. */
export function readChildren(buf: Uint8Array, parent: Element): Element[] | null {
  if ((parent.tag & 0x20) === 0) return null;
  const out: Element[] = [];
  for (let offset = parent.valueStart; offset < parent.end; ) {
    const child = readElement(buf, offset, parent.end);
    if (!child) return null;
    out.push(child);
    offset = child.end;
  }
  return out;
}
