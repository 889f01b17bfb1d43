import type { Name } from '@peculiar/asn1-x509';

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

export function decodeName(name: Name, der: Uint8Array): DistinguishedName {
  const attributes: NameAttribute[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      const v = atv.value;
      const value =
        v.utf8String ?? v.printableString ?? v.ia5String ?? v.teletexString ?? v.bmpString ?? v.universalString ??
        (v.anyValue ? `#${Buffer.from(v.anyValue).toString('hex')}` : '');
      attributes.push({ type: atv.type, name: SHORT[atv.type] ?? atv.type, value });
    }
  }
  return { der, attributes, text: attributes.map((a) => `${a.name}=${a.value}`).join(', ') };
}
