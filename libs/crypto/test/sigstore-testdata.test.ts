import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digest, importPublicKey, keyIdBase64, keyIdHex, verify, verifyDigest } from '../src/index.js';
import type { KeyType } from '../src/index.js';
import { sharedTestdata } from './helpers.js';

interface TransparencyLog {
  baseUrl: string;
  logId: { keyId: string };
  publicKey: { rawBytes: string; keyDetails: string };
}

const targets = (name: string): string => readFileSync(sharedTestdata('public-good-tuf', 'targets', name), 'utf8');
const trustedRoot = JSON.parse(targets('trusted_root.json')) as { tlogs: TransparencyLog[]; ctlogs: TransparencyLog[] };

const DETAILS: Record<string, KeyType> = { PKIX_ECDSA_P256_SHA_256: 'ecdsa-p256', PKIX_ED25519: 'ed25519' };

describe('public-good Sigstore keys', () => {
  it('rekor.pub has the Rekor log id of trusted_root.json', () => {
    const rekor = importPublicKey(targets('rekor.pub'));
    expect(rekor.type).toBe('ecdsa-p256');
    const log = trustedRoot.tlogs.find((t) => t.baseUrl === 'https://rekor.sigstore.dev');
    expect(keyIdBase64(rekor)).toBe(log?.logId.keyId);
    // Rekor v1 reports the same id as hex.
    expect(keyIdHex(rekor)).toBe(Buffer.from(log?.logId.keyId ?? '', 'base64').toString('hex'));
  });

  it('ctfe.pub and ctfe_2022.pub have the CT log ids of trusted_root.json', () => {
    const ids = trustedRoot.ctlogs.map((c) => c.logId.keyId);
    expect(ids).toContain(keyIdBase64(importPublicKey(targets('ctfe.pub'))));
    expect(ids).toContain(keyIdBase64(importPublicKey(targets('ctfe_2022.pub'))));
  });

  it('every ECDSA log key in trusted_root.json imports from DER and hashes to its log id', () => {
    const logs = [...trustedRoot.tlogs, ...trustedRoot.ctlogs].filter((l) => l.publicKey.keyDetails !== 'PKIX_ED25519');
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const log of logs) {
      const key = importPublicKey(Buffer.from(log.publicKey.rawBytes, 'base64'));
      expect(key.type).toBe(DETAILS[log.publicKey.keyDetails]);
      expect(keyIdBase64(key)).toBe(log.logId.keyId);
    }
  });

  it('the Ed25519 (Rekor v2) log key imports, and its log id is the signed-note key hash, not keyId', () => {
    const log = trustedRoot.tlogs.find((l) => l.publicKey.keyDetails === 'PKIX_ED25519');
    const spki = Buffer.from(log?.publicKey.rawBytes ?? '', 'base64');
    const key = importPublicKey(spki);
    expect(key.type).toBe('ed25519');
    expect(keyIdBase64(key)).not.toBe(log?.logId.keyId);
    // C2SP signed-note: SHA-256(origin || "\n" || 0x01 || raw key), kept whole by Rekor v2.
    const origin = new URL(log?.baseUrl ?? '').host;
    const noteHash = digest('sha256', Buffer.concat([Buffer.from(`${origin}\n`), Buffer.from([1]), spki.subarray(-32)]));
    expect(Buffer.from(noteHash).toString('base64')).toBe(log?.logId.keyId);
  });

  it('imports artifact.pub', () => {
    expect(importPublicKey(targets('artifact.pub')).type).toBe('ecdsa-p256');
  });
});

describe('conformance bundle signed with a managed key', () => {
  const dir = (name: string, file: string): string => sharedTestdata('conformance', 'bundle-verify', name, file);
  const bundle = JSON.parse(readFileSync(dir('managed-key-happy-path', 'bundle.sigstore.json'), 'utf8')) as {
    messageSignature: { messageDigest: { algorithm: string; digest: string }; signature: string };
  };
  const { messageDigest, signature } = bundle.messageSignature;
  const sig = Buffer.from(signature, 'base64');
  const hashed = Buffer.from(messageDigest.digest, 'base64');
  const artifact = readFileSync(sharedTestdata('conformance', 'a.txt'));

  it('verifies the hashedrekord signature over the digest alone', () => {
    expect(messageDigest.algorithm).toBe('SHA2_256');
    const key = importPublicKey(readFileSync(dir('managed-key-happy-path', 'key.pub'), 'utf8'));
    expect(verifyDigest(key, hashed, sig)).toBe(true);
  });

  it('verifies the same signature over the artifact, whose sha256 is the digest', () => {
    const key = importPublicKey(readFileSync(dir('managed-key-happy-path', 'key.pub'), 'utf8'));
    expect(digest('sha256', artifact)).toEqual(new Uint8Array(hashed));
    expect(verify(key, artifact, sig)).toBe(true);
  });

  it('rejects the corrupted key of the wrong-key case, and the signature over a changed digest', () => {
    // That case's key.pub has its base64 vandalised ("...++++wrongkey=="): a strict parser refuses it.
    const wrongKeyPem = readFileSync(dir('managed-key-wrong-key_fail', 'key.pub'), 'utf8');
    expect(() => importPublicKey(wrongKeyPem)).toThrow(expect.objectContaining({ code: 'INVALID_PEM' }));
    const other = importPublicKey(targets('artifact.pub'));
    expect(verifyDigest(other, hashed, sig)).toBe(false);
    const key = importPublicKey(readFileSync(dir('managed-key-happy-path', 'key.pub'), 'utf8'));
    const changed = Uint8Array.from(hashed);
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(verifyDigest(key, changed, sig)).toBe(false);
  });
});
