import { TAG, children, contents, decodeOid, readSingle } from './der.js';
import type { Tlv } from './der.js';
import { X509Error } from './errors.js';

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  /** The attribute type OID. */
  readonly type: string;
  /** Short name for common types (CN, O, OU, C, L, ST, E, ...), else the OID. */
  readonly name: string;
  readonly value: string;
}

/** A decoded X.501 Name: the DER bytes (what chains compare) and its attributes. */
export interface DistinguishedName {
  readonly der: Uint8Array;
  readonly attributes: readonly NameAttribute[];
  /** `C=US, O=sigstore.dev, CN=sigstore-intermediate`, in certificate order. */
  readonly text: string;
}

const SHORT: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const C = 'MALFORMED_CERTIFICATE';
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as one char per byte (what PrintableString, IA5String and TeletexString hold). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * An attribute value (RFC 5280 DirectoryString, or IA5String): its text. Any other type is
 * kept as `#` and the hex of its whole DER element, as RFC 4514 writes unknown values.
 */
function attributeValue(der: Uint8Array, tlv: Tlv): string {
  const bytes = contents(der, tlv);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      try {
        return UTF8.decode(bytes);
      } catch (cause) {
        throw new X509Error(C, 'a name attribute is not valid UTF-8', { cause });
      }
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString
      return latin1(bytes);
    case 0x1e: {
      // BMPString: UTF-16BE code units.
      if (bytes.length % 2 !== 0) throw new X509Error(C, 'a BMPString has an odd length');
      let out = '';
      for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
      return out;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE, read as one UTF-16 unit each (so only the BMP).
      if (bytes.length % 4 !== 0) throw new X509Error(C, 'a UniversalString length is not a multiple of 4');
      let out = '';
      for (let i = 0; i < bytes.length; i += 4) {
        const unit = Buffer.from(bytes.buffer, bytes.byteOffset + i, 4).readUInt32BE(0);
        if (unit > 0xffff) throw new X509Error(C, 'a UniversalString character is outside the BMP');
        out += String.fromCharCode(unit);
      }
      return out;
    }
    default:
      return `#${Buffer.from(der.buffer, der.byteOffset + tlv.start, tlv.end - tlv.start).toString('hex')}`;
  }
}

/** Decodes a DER Name (SEQUENCE OF SET OF AttributeTypeAndValue); MALFORMED_CERTIFICATE otherwise. */
export function decodeName(der: Uint8Array): DistinguishedName {
  const seq = readSingle(der, TAG.SEQUENCE, C);
  const attributes: NameAttribute[] = [];
  for (const rdn of children(der, seq, C)) {
    if (rdn.tag !== TAG.SET) throw new X509Error(C, 'a relative distinguished name is not a SET');
    for (const atv of children(der, rdn, C)) {
      if (atv.tag !== TAG.SEQUENCE) throw new X509Error(C, 'a name attribute is not a SEQUENCE');
      const parts = children(der, atv, C);
      const [typeTlv, valueTlv] = parts;
      if (parts.length !== 2 || typeTlv === undefined || valueTlv === undefined || typeTlv.tag !== TAG.OID) throw new X509Error(C, 'malformed name attribute');
      const type = decodeOid(contents(der, typeTlv), C);
      attributes.push({ type, name: SHORT[type] ?? type, value: attributeValue(der, valueTlv) });
    }
  }
  return { der, attributes, text: attributes.map((a) => `${a.name}=${a.value}`).join(', ') };
}
