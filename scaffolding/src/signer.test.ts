import { generateKeyPair } from '@sigstack/crypto';
import { Metadata, MetadataKind, Signature } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { newMetadata, signedBytes, signMetadata, validSigners } from './metadata.js';
import { privateKeySigner, publicKeyOfTufKey, tufKey } from './signer.js';

describe('canonicalJson', () => {
  it('is the form @tufjs/models signs over (raw newlines in PEM values, sorted keys)', async () => {
    const signer = privateKeySigner((await generateKeyPair('ecdsa-p256')).privateKey);
    const root = newMetadata(MetadataKind.Root, {
      version: 1,
      expires: '2030-01-01T00:00:00Z',
      consistent_snapshot: true,
      keys: { [signer.key.keyID]: signer.key.toJSON() },
      roles: Object.fromEntries(['root', 'targets', 'snapshot', 'timestamp'].map((r) => [r, { keyids: [signer.key.keyID], threshold: 1 }])),
    });
    let theirs: Buffer | undefined;
    new Metadata(root.signed).sign((bytes) => {
      theirs = bytes;
      return new Signature({ keyID: 'x', sig: '' });
    });
    expect(Buffer.from(signedBytes(root)).toString('utf8')).toBe(theirs?.toString('utf8'));
    expect(canonicalJson({ b: 'a"b\\c\n', a: [1, true, null] })).toBe('{"a":[1,true,null],"b":"a\\"b\\\\c\n"}');
    expect(() => canonicalJson({ x: 1.5 })).toThrow();
  });
});

describe('tufKey', () => {
  it('writes ECDSA as keytype ecdsa with a PEM value and Ed25519 as hex; both verify', async () => {
    for (const type of ['ecdsa-p256', 'ed25519'] as const) {
      const { privateKey, publicKey } = await generateKeyPair(type);
      const signer = privateKeySigner(privateKey);
      const json = signer.key.toJSON() as { keytype: string; scheme: string; keyval: { public: string } };
      if (type === 'ecdsa-p256') {
        expect(json).toMatchObject({ keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256' });
        expect(json.keyval.public).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      } else {
        expect(json).toMatchObject({ keytype: 'ed25519', scheme: 'ed25519' });
        expect(json.keyval.public).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(signer.key.keyID).toBe(tufKey(publicKey).keyID);
      expect(publicKeyOfTufKey(signer.key).type).toBe(type);
      const md = newMetadata(MetadataKind.Timestamp, { version: 1, expires: '2030-01-01T00:00:00Z', meta: { 'snapshot.json': { version: 1 } } });
      await signMetadata(md, [signer]);
      expect(validSigners(md, [signer.key])).toEqual([signer.key.keyID]);
      md.signatures[signer.key.keyID] = new Signature({ keyID: signer.key.keyID, sig: '' });
      expect(validSigners(md, [signer.key])).toEqual([]);
    }
  });

  it('refuses key types TUF clients do not read from us', async () => {
    const { publicKey } = await generateKeyPair('ecdsa-p384');
    expect(() => tufKey(publicKey)).toThrow(/ECDSA P-256 or Ed25519/);
  });
});
