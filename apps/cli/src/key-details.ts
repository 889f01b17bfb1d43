import type { PublicKey } from '@sigstack/crypto';

/** protobuf-specs PublicKeyDetails name of a key, as trusted roots and Rekor v2 verifiers spell it. */
export function keyDetails(key: PublicKey): string {
  switch (key.type) {
    case 'ecdsa-p256':
      return 'PKIX_ECDSA_P256_SHA_256';
    case 'ecdsa-p384':
      return 'PKIX_ECDSA_P384_SHA_384';
    case 'ed25519':
      return 'PKIX_ED25519';
    default:
      return `PKIX_RSA_PKCS1V15_${key.bits}_SHA256`;
  }
}
