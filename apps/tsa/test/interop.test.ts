import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { exportPublicKey, generateKeyPair, sign } from '@sigstack/crypto';
import { Bundle, TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTsa } from '../src/app.js';
import { chainToPem } from '../src/identity.js';
import type { TsaIdentity } from '../src/identity.js';
import { opensslQuery, opensslVerify, tempDir, testConfig, testIdentity, writeFiles } from './helpers.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A trusted_root.json naming this TSA's chain as its only timestamp authority. */
function trustedRoot(identity: TsaIdentity): TrustedRoot {
  return TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstack dev', commonName: 'sigstack dev TSA' },
        uri: 'http://127.0.0.1:3004',
        certChain: { certificates: identity.chain.map((der) => ({ rawBytes: b64(der) })) },
        validFor: { start: '2000-01-01T00:00:00Z' },
      },
    ],
  });
}

describe.each(['ecdsa-p256', 'ecdsa-p384'] as const)('tokens of a %s TSA', (keyType) => {
  let identity: TsaIdentity;
  let app: FastifyInstance;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    identity = await testIdentity(keyType);
    app = await buildTsa({ config: testConfig(), identity });
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it('verify with sigstore-js: a key-signed bundle whose only timestamp is ours', async () => {
    const artifact = Buffer.from('hello, sigstack');
    const { privateKey, publicKey } = await generateKeyPair('ecdsa-p256');
    const signature = sign(privateKey, artifact);
    // What @sigstore/sign's TSAClient sends: the SHA-256 of the signature, JSON.
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/timestamp',
      headers: { 'content-type': 'application/json' },
      payload: { artifactHash: b64(createHash('sha256').update(signature).digest()), hashAlgorithm: 'sha256' },
    });
    expect(res.statusCode).toBe(200);
    // @sigstore/bundle's Bundle is the protobuf one with its oneofs narrowed; fromJSON checks nothing of that.
    const bundle = Bundle.fromJSON({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: { hint: 'signer' },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: b64(res.rawPayload) }] },
      },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: b64(createHash('sha256').update(artifact).digest()) },
        signature: b64(signature),
      },
    }) as Parameters<typeof toSignedEntity>[0];
    const trust = toTrustMaterial(trustedRoot(identity), {
      signer: { rawBytes: Buffer.from(exportPublicKey(publicKey, 'der')), keyDetails: 5, validFor: undefined } as never,
    });
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 });
    expect(() => verifier.verify(toSignedEntity(bundle, artifact))).not.toThrow();

    // The same bundle against another TSA's chain fails on the timestamp.
    const other = await testIdentity(keyType === 'ecdsa-p256' ? 'ecdsa-p384' : 'ecdsa-p256');
    const strangers = new Verifier(toTrustMaterial(trustedRoot(other), { signer: { rawBytes: Buffer.from(exportPublicKey(publicKey, 'der')) } as never }), {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      timestampThreshold: 1,
    });
    expect(() => strangers.verify(toSignedEntity(bundle, artifact))).toThrow(/timestamp/i);
  });

  it('verify with openssl ts -verify', async () => {
    const dataFile = join(dir, 'data.bin');
    await writeFiles(dir, { 'data.bin': 'some data' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/timestamp',
      headers: { 'content-type': 'application/timestamp-query' },
      payload: await opensslQuery(dir, dataFile, ['-sha384', '-cert']),
    });
    const result = await opensslVerify(dir, res.rawPayload, dataFile, chainToPem(identity.chain.slice(2)), chainToPem(identity.chain.slice(1, 2)));
    expect(result.output).toContain('Verification: OK');
  });
});
