/** opaque ASN.1Cert<1..2^24-1>. */
export function uint24Vector(der: Uint8Array): Buffer {
  const out = Buffer.alloc(3 + der.length);
  out.writeUIntBE(der.length, 0, 3);
  out.set(der, 3);
  return out;
}

/** ASN.1Cert certificate_chain<0..2^24-1> (RFC 6962 4.6 extra_data). */
export function certificateList(ders: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(ders.map(uint24Vector));
  const out = Buffer.alloc(3 + body.length);
  out.writeUIntBE(body.length, 0, 3);
  body.copy(out, 3);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
