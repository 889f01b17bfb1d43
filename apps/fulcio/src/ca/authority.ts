import { createHash, randomFillSync } from 'node:crypto';
import { encodePem } from '@sigstack/crypto';
import type { Signer, SignerAlgorithm } from '@sigstack/crypto';
import { OID, encodeSctListExtension, parseCertificate, verifyChain } from '@sigstack/x509';
import type { ParsedCertificate, SignedCertificateTimestamp } from '@sigstack/x509';
import { bitString, extension, oid, readChildren, readElement, seq, time, tlv, utf8, utf8String } from '../der.js';
import { encodeExtensions } from './extensions.js';
import type { CertificateExtensions } from './extensions.js';

/** The SAN of an issued certificate: exactly one name, by issuer type. */
export type SubjectName =
  | { readonly kind: 'email'; readonly value: string }
  | { readonly kind: 'uri'; readonly value: string }
  /** Fulcio's username identity: an OtherName 1.3.6.1.4.1.57264.1.7 holding `user!domain`. */
  | { readonly kind: 'username'; readonly value: string };

/** Who a certificate is for: its one SAN and Fulcio's extensions. */
export interface Identity {
  readonly san: SubjectName;
  readonly extensions: CertificateExtensions;
}

/** The key that issues certificates and its chain, issuing certificate first, root last. */
export interface CaBackend {
  readonly signer: Signer;
  readonly chain: readonly Uint8Array[];
}

export interface AuthorityOptions {
  /** Certificate lifetime in milliseconds (Fulcio: 10 minutes). */
  readonly lifetimeMs: number;
  /** Milliseconds since the epoch (default Date.now). */
  readonly clock?: () => number;
}

/** Thrown when the CA cannot issue: its chain expires before the certificate would, or the key cannot sign. */
export class CaError extends Error {
  override readonly name = 'CaError';
}

/** A precertificate, and how to turn it into the final certificate once a log returned its SCT. */
export interface Precertificate {
  readonly der: Uint8Array;
  finalize(scts: readonly SignedCertificateTimestamp[]): Promise<Uint8Array>;
}

const SIGNATURE_ALGORITHMS: Readonly<Partial<Record<SignerAlgorithm, Uint8Array>>> = {
  'ecdsa-sha256': seq(oid('1.2.840.10045.4.3.2')),
  'ecdsa-sha384': seq(oid('1.2.840.10045.4.3.3')),
  'ecdsa-sha512': seq(oid('1.2.840.10045.4.3.4')),
  ed25519: seq(oid('1.3.101.112')),
  'rsa-pkcs1v15-sha256': seq(oid('1.2.840.113549.1.1.11'), Uint8Array.of(0x05, 0x00)),
  'rsa-pkcs1v15-sha384': seq(oid('1.2.840.113549.1.1.12'), Uint8Array.of(0x05, 0x00)),
  'rsa-pkcs1v15-sha512': seq(oid('1.2.840.113549.1.1.13'), Uint8Array.of(0x05, 0x00)),
};

const VERSION_3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);
const EMPTY_NAME = Uint8Array.of(0x30, 0x00);
// keyUsage digitalSignature (critical); EKU codeSigning; both as Fulcio writes them.
const KEY_USAGE = extension(oid(OID.keyUsage), true, Uint8Array.of(0x03, 0x02, 0x07, 0x80));
const EXT_KEY_USAGE = extension(oid(OID.extKeyUsage), false, seq(oid('1.3.6.1.5.5.7.3.3')));
const POISON = extension(oid(OID.precertPoison), true, Uint8Array.of(0x05, 0x00));
const SKI_OID = oid(OID.subjectKeyIdentifier);
const SAN_OID = oid(OID.subjectAltName);
const USERNAME_OID = oid('1.3.6.1.4.1.57264.1.7');

/**
 * Issues Fulcio-profile certificates: empty subject, one critical SAN, keyUsage
 * digitalSignature, EKU codeSigning, SKI/AKI, the Sigstore extensions, a random
 * positive 160-bit serial, and `lifetimeMs` of validity. Everything that does not
 * depend on the request (issuer name, AKI, algorithm, constant extensions) is encoded
 * once here; an issuance only encodes the request's parts and signs.
 */
export class CertificateAuthority {
  readonly signer: Signer;
  /** Issuing certificate first, root last, DER. */
  readonly chain: readonly Uint8Array[];
  readonly chainPem: readonly string[];
  /** The issuing certificate. */
  readonly issuer: ParsedCertificate;
  readonly #algorithm: Uint8Array;
  readonly #issuerName: Uint8Array;
  readonly #aki: Uint8Array;
  readonly #lifetimeMs: number;
  readonly #clock: () => number;
  readonly #notAfterLimit: number;
  #serials = new Uint8Array(0);
  #serialOffset = 0;

  constructor(backend: CaBackend, options: AuthorityOptions) {
    const algorithm = SIGNATURE_ALGORITHMS[backend.signer.algorithm];
    if (!algorithm) throw new CaError(`cannot issue certificates with ${backend.signer.algorithm}`);
    if (backend.chain.length === 0) throw new CaError('the CA chain is empty');
    if (!Number.isSafeInteger(options.lifetimeMs) || options.lifetimeMs <= 0) throw new CaError('the certificate lifetime must be positive');
    this.signer = backend.signer;
    this.chain = Object.freeze([...backend.chain]);
    this.chainPem = Object.freeze(this.chain.map((der) => encodePem('CERTIFICATE', der)));
    this.#clock = options.clock ?? Date.now;
    this.#lifetimeMs = options.lifetimeMs;
    const parsed = this.chain.map((der) => parseCertificate(der));
    this.issuer = parsed[0] as ParsedCertificate;
    checkChain(parsed, backend.signer, new Date(this.#clock()));
    this.#algorithm = algorithm;
    this.#issuerName = this.issuer.subject;
    const ski = this.issuer.subjectKeyId ?? keyIdentifier(this.issuer.subjectPublicKeyInfo);
    this.#aki = extension(oid(OID.authorityKeyIdentifier), false, seq(tlv(0x80, ski)));
    this.#notAfterLimit = Math.min(...parsed.map((c) => c.notAfter.getTime()));
  }

  /** A final certificate without SCTs (CT off). */
  async certificate(spki: Uint8Array, identity: Identity): Promise<Uint8Array> {
    const parts = this.#prepare(spki, identity);
    return this.#sign(this.#tbs(parts, null));
  }

  /** RFC 6962 3.1: a precertificate (poison extension), signed by this CA, and its completion. */
  async precertificate(spki: Uint8Array, identity: Identity): Promise<Precertificate> {
    const parts = this.#prepare(spki, identity);
    const der = await this.#sign(this.#tbs(parts, POISON));
    return {
      der,
      // The same serial, validity and extensions, with the SCT list where the poison was.
      finalize: async (scts) => {
        const ext = encodeSctListExtension(scts);
        return this.#sign(this.#tbs(parts, extension(oid(ext.oid), ext.critical, ext.value)));
      },
    };
  }

  #prepare(spki: Uint8Array, identity: Identity): Uint8Array[] {
    const notBefore = this.#clock();
    const notAfter = notBefore + this.#lifetimeMs;
    if (notAfter > this.#notAfterLimit) throw new CaError('the CA chain expires before a certificate issued now would');
    return [
      VERSION_3,
      this.#serial(),
      this.#algorithm,
      this.#issuerName,
      seq(time(notBefore), time(notAfter)),
      EMPTY_NAME,
      spki,
      KEY_USAGE,
      EXT_KEY_USAGE,
      extension(SKI_OID, false, tlv(0x04, keyIdentifier(spki))),
      this.#aki,
      subjectAltName(identity.san),
      ...encodeExtensions(identity.extensions),
    ];
  }

  #tbs(parts: readonly Uint8Array[], last: Uint8Array | null): Uint8Array {
    const fields = parts.slice(0, 7);
    const extensions = last ? [...parts.slice(7), last] : parts.slice(7);
    return seq(...fields, tlv(0xa3, seq(...extensions)));
  }

  async #sign(tbs: Uint8Array): Promise<Uint8Array> {
    const signature = await this.signer.sign(tbs);
    return seq(tbs, this.#algorithm, bitString(signature));
  }

  /** RFC 5280 4.1.2.2: positive, at most 20 octets; here exactly 20, the top bit clear and the first octet non-zero. */
  #serial(): Uint8Array {
    if (this.#serialOffset + 20 > this.#serials.length) {
      this.#serials = randomFillSync(new Uint8Array(20 * 512));
      this.#serialOffset = 0;
    }
    const serial = this.#serials.slice(this.#serialOffset, this.#serialOffset + 20);
    this.#serialOffset += 20;
    serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
    return tlv(0x02, serial);
  }
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const outer = readElement(spki, 0);
  const fields = outer && readChildren(spki, outer);
  const bits = fields?.[1];
  if (!bits || bits.tag !== 0x03) throw new TypeError('not a SubjectPublicKeyInfo');
  return new Uint8Array(createHash('sha1').update(spki.subarray(bits.valueStart + 1, bits.end)).digest());
}

function subjectAltName(name: SubjectName): Uint8Array {
  let general: Uint8Array;
  if (name.kind === 'username') {
    general = tlv(0xa0, USERNAME_OID, tlv(0xa0, utf8String(name.value)));
  } else {
    // rfc822Name [1] and uniformResourceIdentifier [6] are IA5Strings: ASCII only.
    if (!/^[\x21-\x7e]+$/.test(name.value)) throw new CaError(`the ${name.kind} is not printable ASCII`);
    general = tlv(name.kind === 'email' ? 0x81 : 0x86, utf8(name.value));
  }
  // The subject is empty, so RFC 5280 4.2.1.6 makes the SAN critical.
  return extension(SAN_OID, true, seq(general));
}

function checkChain(chain: readonly ParsedCertificate[], signer: Signer, now: Date): void {
  const [issuer] = chain;
  if (!issuer) throw new CaError('the CA chain is empty');
  if (!Buffer.from(issuer.subjectPublicKeyInfo).equals(spkiOf(signer))) {
    throw new CaError('the CA key does not match the issuing certificate');
  }
  if (!issuer.basicConstraints?.ca || !issuer.keyUsage?.includes('keyCertSign')) {
    throw new CaError('the issuing certificate is not a CA allowed to sign certificates');
  }
  // Fulcio's rule: an intermediate that issues code-signing certificates says so in its EKU.
  if (chain.length > 1 && issuer.extendedKeyUsage && !issuer.extendedKeyUsage.includes('1.3.6.1.5.5.7.3.3')) {
    throw new CaError('the issuing intermediate lacks the codeSigning extended key usage');
  }
  const root = chain[chain.length - 1] as ParsedCertificate;
  try {
    verifyChain(chain, { roots: [root], at: now });
  } catch (cause) {
    throw new CaError(`the CA chain does not verify: ${(cause as Error).message}`, { cause });
  }
}

function spkiOf(signer: Signer): Uint8Array {
  return new Uint8Array(signer.publicKey.keyObject.export({ format: 'der', type: 'spki' }));
}

