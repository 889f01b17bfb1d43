// A minimal DER walker for the structures this library reads by hand (RFC 3161 timestamps,
// CMS signed attributes). Input is attacker-controlled: every length is checked against its
// parent; indefinite, non-minimal or oversized lengths and high tag numbers are refused.

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

/** Reads the element at `offset`; undefined when it is not well-formed DER within `limit`. */
export function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset] as number;
  // Multi-byte tags never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) return undefined;
  let len = der[offset + 1] as number;
  let contentStart = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > limit) return undefined;
    // DER: no leading zero byte, and the long form only from 128 on.
    if (der[offset + 2] === 0) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[offset + 2 + i] as number);
    if (len < 0x80) return undefined;
    contentStart = offset + 2 + n;
  }
  const end = contentStart + len;
  return end <= limit ? { tag, start: offset, contentStart, end } : undefined;
}

/** The children of a constructed element; undefined if they do not exactly fill it. */
export function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
  if ((parent.tag & 0x20) === 0) return undefined;
  const out: Tlv[] = [];
  let at = parent.contentStart;
  while (at < parent.end) {
    const child = readTlv(der, at, parent.end);
    if (child === undefined) return undefined;
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The element that is all of `der`, with `tag`; undefined otherwise. */
export function readWhole(der: Uint8Array, tag: number): Tlv | undefined {
  const tlv = readTlv(der, 0);
  return tlv !== undefined && tlv.end === der.length && tlv.tag === tag ? tlv : undefined;
}

export const contentsOf = (der: Uint8Array, tlv: Tlv): Uint8Array => der.subarray(tlv.contentStart, tlv.end);
export const elementOf = (der: Uint8Array, tlv: Tlv): Uint8Array => der.subarray(tlv.start, tlv.end);

/** Dotted text of an OBJECT IDENTIFIER's contents; undefined unless minimal and complete. */
export function oidText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0 || bytes.length > 64) return undefined;
  let text = '';
  let value = 0;
  let fresh = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (fresh && b === 0x80) return undefined;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined;
    fresh = (b & 0x80) === 0;
    if (fresh) {
      // The first subidentifier packs two arcs: 40 * first + second.
      text = text === '' ? (value < 40 ? `0.${value}` : value < 80 ? `1.${value - 40}` : `2.${value - 80}`) : `${text}.${value}`;
      value = 0;
    }
  }
  return fresh ? text : undefined;
}
