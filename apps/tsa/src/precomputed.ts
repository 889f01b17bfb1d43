import { AsnConvert } from '@peculiar/asn1-schema';

/**
 * A value encoded once by asn1-schema and reused in every token that contains it.
 *
 * asn1-schema builds an asn1js node tree for every value it serializes, which costs
 * tens of microseconds per certificate-sized value. A value whose schema property is a
 * class (not a primitive) may instead be an object with `toASN`/`fromASN` (asn1-schema's
 * "convertible" hook); this one answers with a node that writes the stored DER into the
 * enclosing node's writer, as asn1js's constructed blocks call their children
 * (`child.toBER(sizeOnly, writer)`). The bytes still come from asn1-schema, once, and
 * the enclosing tags and lengths are still asn1js's: nothing is encoded by hand.
 * Tests check every token with OpenSSL and sigstore-js, which would catch a changed contract.
 */
export class Precomputed {
  readonly der: ArrayBuffer;
  readonly #node: { toBER(sizeOnly?: boolean, writer?: { write(buf: ArrayBuffer): void }): ArrayBuffer };

  constructor(value: object) {
    const der = AsnConvert.serialize(value);
    this.der = der;
    this.#node = {
      toBER(_sizeOnly, writer) {
        if (writer) {
          writer.write(der);
          return new ArrayBuffer(0);
        }
        return der;
      },
    };
  }

  toASN(): unknown {
    return this.#node;
  }

  fromASN(): never {
    throw new TypeError('a precomputed value is for encoding only');
  }
}

/** Encode once, reuse: typed as the value it stands for, so schemas accept it. */
export function precompute<T extends object>(value: T): T {
  return new Precomputed(value) as unknown as T;
}
