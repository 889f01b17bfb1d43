import { sign } from '@sigstack/crypto';
import type { HashAlgorithm, PrivateKey, PublicKey } from '@sigstack/crypto';
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
 * The key that signs timestamps. One method, so a KMS or HSM backend can fill it:
 * `sign` gets the exact bytes to sign (the DER of the signed attributes), hashes them
 * with `algorithm`'s digest and returns an ASN.1 DER ECDSA signature.
 */
export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /** The public half, matched against the leaf certificate at start-up. */
  readonly publicKey: PublicKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A Signer over a key held in this process (a file, or the generated dev key). */
export function keySigner(key: PrivateKey): Signer {
  let algorithm: SignatureAlgorithm;
  if (key.type === 'ecdsa-p256') algorithm = 'ecdsa-sha256';
  else if (key.type === 'ecdsa-p384') algorithm = 'ecdsa-sha384';
  // RSA and Ed25519 tokens are valid CMS, but sigstore-js verifies ECDSA TSA signatures only.
  else throw new TypeError(`the TSA signs with ECDSA P-256 or P-384 keys, not ${key.type}`);
  return {
    algorithm,
    publicKey: key.publicKey,
    // node:crypto signs synchronously; the promise is the interface's, for remote signers.
    sign: async (data) => sign(key, data),
  };
}
