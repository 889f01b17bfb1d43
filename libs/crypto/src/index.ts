// The public surface of @sigstack/crypto, listed by name; index.test.ts pins it.

export { CryptoError } from './errors.js';
export type { CryptoErrorCode } from './errors.js';

export { decodePem, decodePemBundle, encodePem } from './pem.js';
export type { PemBlock } from './pem.js';

export { digest, digestStream, hashLength } from './hash.js';
export type { HashAlgorithm } from './hash.js';

export type { KeyPair, KeyType, PrivateKey, PublicKey } from './keys.js';
export { generateKeyPair } from './key-generate.js';
export type { GenerateKeyPairOptions } from './key-generate.js';
export { importPrivateKey, importPublicKey } from './key-import.js';
export { exportPrivateKey, exportPublicKey } from './key-export.js';
export type { KeyExportFormat } from './key-export.js';
export { keyId, keyIdBase64, keyIdHex } from './key-id.js';

export { sign, verify } from './sign.js';
export { signDigest, verifyDigest } from './digest-sign.js';
export { P256DigestVerifier, modInverse, parseEcdsaDerSignature } from './p256-digest.js';
export { nativeEcdsa, type NativeEcdsa } from './native-ecdsa.js';
export { keySigner } from './signer.js';
export type { Signer, SignerAlgorithm } from './signer.js';
export type { RsaPadding, SignatureOptions } from './signature-scheme.js';

export { decryptPrivateKey, encryptPrivateKey } from './encrypted-key.js';
export type { EncryptPrivateKeyOptions, EncryptedKeyLabel } from './encrypted-key.js';
export type { ScryptN } from './encrypted-key-format.js';
