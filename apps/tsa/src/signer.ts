import { keySigner as cryptoKeySigner } from '@sigstack/crypto';
import type { HashAlgorithm, PrivateKey, Signer as CryptoSigner } from '@sigstack/crypto';
import { OID } from './oids.js';

/** The signature algorithms a TSA signer may use: those sigstore-js and Go verify for a TSA. */
export type SignatureAlgorithm = 'ecdsa-sha256' | 'ecdsa-sha384' | 'ecdsa-sha512';

/** What the CMS SignerInfo says about an algorithm: its digest and its OID. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<SignatureAlgorithm, { readonly digest: HashAlgorithm; readonly oid: string }>> = {
  'ecdsa-sha256': { digest: 'sha256', oid: OID.ecdsaWithSha256 },
  'ecdsa-sha384': { digest: 'sha384', oid: OID.ecdsaWithSha384 },
  'ecdsa-sha512': { digest: 'sha512', oid: OID.ecdsaWithSha512 },
};

/**
 * The key that signs timestamps: the workspace's one-method Signer (@sigstack/crypto),
 * narrowed to ECDSA. `sign` gets the exact bytes to sign (the DER of the signed
 * attributes), hashes them with `algorithm`'s digest and returns an ASN.1 DER signature.
 */
export type Signer = CryptoSigner<SignatureAlgorithm>;

function isTsaSigner(signer: CryptoSigner): signer is Signer {
  return Object.hasOwn(SIGNATURE_ALGORITHMS, signer.algorithm);
}

/** A Signer over a key held in this process (a file, or the generated dev key). */
export function keySigner(key: PrivateKey): Signer {
  // RSA and Ed25519 tokens are valid CMS, but sigstore-js verifies ECDSA TSA signatures only.
  if (key.type !== 'ecdsa-p256' && key.type !== 'ecdsa-p384') {
    throw new TypeError(`the TSA signs with ECDSA P-256 or P-384 keys, not ${key.type}`);
  }
  const signer = cryptoKeySigner(key);
  if (!isTsaSigner(signer)) throw new TypeError(`the TSA cannot sign with ${signer.algorithm}`);
  return signer;
}
