// A minimal DER walker for the few places where the exact encoded bytes matter (the CMS
// signed attributes a signature covers). Input is attacker-controlled: every length is
// checked against its parent, and anything indefinite or oversized is refused.

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
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[offset + 2 + i] as number);
    contentStart = offset + 2 + n;
  }
  const end = contentStart + len;
  return end <= limit ? { tag, start: offset, contentStart, end } : undefined;
}

/** The children of a constructed element; undefined if they do not exactly fill it. */
export function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] | undefined {
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
