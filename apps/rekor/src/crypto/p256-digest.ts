// P-256 verification over a digest at native speed now lives in @sigstack/crypto (where
// verifyDigest uses it too); these are the names this app and its tests use.
export { P256DigestVerifier, modInverse as inverse, parseEcdsaDerSignature as parseDerSignature } from '@sigstack/crypto';
