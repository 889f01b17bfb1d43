import { CryptoError, decodePem, exportPublicKey, importPublicKey, verify } from '@sigstack/crypto';
import type { HashAlgorithm, PublicKey } from '@sigstack/crypto';
import { ServiceError } from '@sigstack/server';
import { readChildren, readElement } from './der.js';
import { fulcioErrors } from './errors.js';

/** A client key that passed every check, and the DER SPKI that goes into the certificate. */
export interface ClientKey {
  readonly key: PublicKey;
  readonly spki: Uint8Array;
}

const MAX_RSA_BITS = 4096;

/**
 * Parses the key of a publicKeyRequest: PEM ("PUBLIC KEY", or PKCS#1 "RSA PUBLIC KEY")
 * or DER SubjectPublicKeyInfo bytes, as Fulcio's challenges.ParsePublicKey accepts.
 * Attacker-controlled: every failure is one of the 400 codes.
 */
export function parseClientKey(content: string | Uint8Array): ClientKey {
  if (content.length === 0) throw fulcioErrors.create('INVALID_PUBLIC_KEY', 'public key not provided');
  try {
    const text = typeof content === 'string' ? content : Buffer.from(content).toString('latin1');
    let der: Uint8Array;
    if (text.includes('-----BEGIN')) {
      const block = decodePem(text, ['PUBLIC KEY', 'RSA PUBLIC KEY']);
      if (block.label !== 'PUBLIC KEY') return checkKey(importPublicKey(text));
      der = block.der;
    } else {
      der = typeof content === 'string' ? new Uint8Array(Buffer.from(content, 'latin1')) : content;
    }
    const fast = importEcSpki(der);
    return fast ?? checkKey(importPublicKey(der));
  } catch (cause) {
    throw keyError(cause);
  }
}

// DER SubjectPublicKeyInfo prefixes of named-curve P-256 and P-384 keys with an
// uncompressed point: the only EC encodings Fulcio clients send (and canonical ones).
const EC_PREFIXES = [
  { crv: 'P-256', size: 32, prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex') },
  { crv: 'P-384', size: 48, prefix: Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex') },
];

/**
 * The hot path: an EC SPKI is imported from its coordinates as a JWK, which OpenSSL
 * checks to be a point on the curve, at a third of the cost of its DER decoder. The
 * SPKI bytes are then the canonical ones by construction. Anything else: null.
 */
function importEcSpki(der: Uint8Array): ClientKey | null {
  for (const { crv, size, prefix } of EC_PREFIXES) {
    if (der.length !== prefix.length + 1 + 2 * size || !prefix.equals(der.subarray(0, prefix.length)) || der[prefix.length] !== 0x04) continue;
    const at = prefix.length + 1;
    const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
    const key = importPublicKey({ kty: 'EC', crv, x: b64url(der.subarray(at, at + size)), y: b64url(der.subarray(at + size)) });
    return { key, spki: der };
  }
  return null;
}

/** Fulcio's goodkey rules on top of @sigstack/crypto's: RSA 2048-4096, a multiple of 8, e = 65537. */
export function checkKey(key: PublicKey): ClientKey {
  if (key.type === 'rsa') {
    const details = key.keyObject.asymmetricKeyDetails ?? {};
    if (key.bits > MAX_RSA_BITS || key.bits % 8 !== 0) {
      throw fulcioErrors.create('UNSUPPORTED_PUBLIC_KEY', `RSA keys of ${key.bits} bits are not certified (2048 to 4096 bits, a multiple of 8)`);
    }
    if (details.publicExponent !== 65537n) throw fulcioErrors.create('INSECURE_PUBLIC_KEY', 'the RSA public exponent must be 65537');
  }
  return { key, spki: exportPublicKey(key, 'der') };
}

function keyError(cause: unknown): Error {
  if (cause instanceof ServiceError) return cause;
  if (cause instanceof CryptoError) {
    if (cause.code === 'WEAK_KEY') return fulcioErrors.create('INSECURE_PUBLIC_KEY', `the public key is insecure: ${cause.message}`, { cause });
    if (cause.code === 'UNSUPPORTED_ALGORITHM' || cause.code === 'UNSUPPORTED_KEY_SIZE') {
      return fulcioErrors.create(
        'UNSUPPORTED_PUBLIC_KEY',
        `${cause.message}: Fulcio certifies ECDSA P-256 and P-384, Ed25519 and RSA 2048-4096 keys`,
        { cause },
      );
    }
  }
  return fulcioErrors.create('INVALID_PUBLIC_KEY', 'The public key supplied in the request could not be parsed', { cause });
}

/**
 * Checks a proof of possession: the key's signature over `name` (UTF-8), with the hash
 * Fulcio's default verifier uses for the key (P-256 SHA-256, P-384 SHA-384, RSA
 * PKCS#1 v1.5 SHA-256, pure Ed25519). ECDSA signatures are ASN.1 DER.
 */
export function checkProofOfPossession(key: ClientKey, name: string, signature: Uint8Array): void {
  if (signature.length === 0 || !verify(key.key, new TextEncoder().encode(name), signature)) {
    throw fulcioErrors.create('INVALID_SIGNATURE', 'The signature supplied in the request could not be verified');
  }
}

// CSR signature algorithms Fulcio's registry permits, with the key type each needs.
const CSR_ALGORITHMS: Readonly<Record<string, { readonly hash: HashAlgorithm | null; readonly key: PublicKey['type'] }>> = {
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ecdsa-p256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ecdsa-p384' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.3.101.112': { hash: null, key: 'ed25519' },
};

/**
 * A PKCS#10 certificate signing request (PEM "CERTIFICATE REQUEST"): its key, after
 * its self-signature verified. Everything else in it (subject, attributes) is ignored,
 * as Fulcio ignores it.
 */
export function parseCsr(pem: string): ClientKey {
  const bad = (why: string, cause?: unknown) =>
    fulcioErrors.create('INVALID_CSR', `The certificate signing request could not be parsed: ${why}`, cause === undefined ? {} : { cause });
  let der: Uint8Array;
  try {
    der = decodePem(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']).der;
  } catch (cause) {
    throw bad('not a PEM CERTIFICATE REQUEST', cause);
  }
  const outer = readElement(der, 0);
  const top = outer && outer.end === der.length && outer.tag === 0x30 ? readChildren(der, outer) : null;
  const [info, algorithm, signature] = top ?? [];
  if (!top || top.length !== 3 || !info || !algorithm || !signature || info.tag !== 0x30 || algorithm.tag !== 0x30 || signature.tag !== 0x03) {
    throw bad('not a DER CertificationRequest');
  }
  const fields = readChildren(der, info);
  const spki = fields?.[2];
  if (!fields || fields.length < 3 || fields[0]?.tag !== 0x02 || der[fields[0].valueStart] !== 0 || !spki || spki.tag !== 0x30) {
    throw bad('not a version 1 CertificationRequestInfo');
  }
  const algFields = readChildren(der, algorithm);
  const oidElement = algFields?.[0];
  if (!oidElement || oidElement.tag !== 0x06) throw bad('malformed signature algorithm');
  const oid = decodeOid(der.subarray(oidElement.valueStart, oidElement.end));
  const scheme = CSR_ALGORITHMS[oid];
  if (!scheme) throw bad(`signature algorithm ${oid} is not accepted`);
  let key: PublicKey;
  try {
    key = importPublicKey(der.slice(spki.start, spki.end));
  } catch (cause) {
    throw keyError(cause);
  }
  const checked = checkKey(key);
  if (key.type !== scheme.key) throw bad(`signature algorithm ${oid} does not fit a ${key.type} key`);
  const bits = der.subarray(signature.valueStart, signature.end);
  if (bits[0] !== 0) throw bad('signature has unused bits');
  const ok = verify(key, der.subarray(info.start, info.end), bits.subarray(1), scheme.hash && key.type === 'rsa' ? { hash: scheme.hash } : undefined);
  if (!ok) throw fulcioErrors.create('INVALID_CSR', 'The certificate signing request signature does not verify');
  return checked;
}

function decodeOid(bytes: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}
