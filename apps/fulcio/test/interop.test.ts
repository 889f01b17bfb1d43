import { createHash } from 'node:crypto';
import { exportPublicKey } from '@sigstack/crypto';
import { Bundle, TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { sign } from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCtLog, startCtLogServer, startIdp, testApp } from './helpers.js';
import type { TestIdp } from './helpers.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

describe('the official sigstore-js client', () => {
  it('signs keylessly against this Fulcio, and @sigstore/verify accepts the certificate, its SAN, issuer and SCT', async () => {
    const ct = await fakeCtLog();
    const ctServer = await startCtLogServer(ct.log);
    const { app, services } = await testApp(idp, { env: { CT_LOG_URL: ctServer.url } });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const token = await idp.token({ sub: 'u-9', email: 'jane@example.com', email_verified: true });
      const payload = Buffer.from('hello, sigstack');
      const serialized = await sign(payload, { fulcioURL: url, identityToken: token, tlogUpload: false });
      const bundle = Bundle.fromJSON(serialized) as Parameters<typeof toSignedEntity>[0];
      expect(['certificate', 'x509CertificateChain']).toContain(bundle.verificationMaterial?.content?.$case);

      const ctSpki = exportPublicKey(ct.key.publicKey, 'der');
      const trustedRoot = TrustedRoot.fromJSON({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [],
        timestampAuthorities: [],
        certificateAuthorities: [
          {
            subject: { organization: 'sigstack', commonName: 'sigstack-fulcio' },
            uri: url,
            certChain: { certificates: services.ca.chain.map((der) => ({ rawBytes: b64(der) })) },
            validFor: { start: '2000-01-01T00:00:00Z' },
          },
        ],
        ctlogs: [
          {
            baseUrl: ctServer.url,
            hashAlgorithm: 'SHA2_256',
            publicKey: { rawBytes: b64(ctSpki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2000-01-01T00:00:00Z' } },
            logId: { keyId: b64(createHash('sha256').update(ctSpki).digest()) },
          },
        ],
      });
      const entity = toSignedEntity(bundle, payload);
      // No tlog upload here, so no signing time from a log: give the verifier "now", as a
      // timestamp authority would, to check the chain and SCT at.
      const timestamps = [
        {
          $case: 'transparency-log' as const,
          tlogEntry: { integratedTime: String(Math.floor(Date.now() / 1000)), inclusionPromise: { signedEntryTimestamp: Buffer.alloc(1) }, logId: { keyId: Buffer.alloc(32) } },
        },
      ] as unknown as typeof entity.timestamps;
      const verifier = new Verifier(toTrustMaterial(trustedRoot), { tlogThreshold: 0, ctlogThreshold: 1, timestampThreshold: 1 });
      const signer = verifier.verify({ ...entity, timestamps }, { subjectAlternativeName: 'jane@example.com', extensions: { issuer: idp.issuer() } });
      expect(signer.identity?.extensions?.issuer).toBe(idp.issuer());
      expect(() => verifier.verify({ ...entity, timestamps }, { subjectAlternativeName: 'mallory@example.com' })).toThrow();
    } finally {
      await app.close();
      await ctServer.close();
    }
  });
});
