import { randomBytes, sign } from 'node:crypto';
import { PublicKeyDetails, TransparencyLogEntry, TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness, type Signer, type Witness } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { openPglite, migrate, type SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecdsaSigner, testRekor, type TestRekor } from './helpers.js';

// The official clients, unchanged: @sigstore/sign writes entries through its RekorWitness
// (rekorBaseURL pointed at this server, over a real socket) and @sigstore/verify checks the
// bundles against a trusted root that lists this server's logs.
describe('official sigstore-js clients against this Rekor', () => {
  let db: SqlDatabase;
  let r: TestRekor;
  let url: string;
  const key = ecdsaSigner();
  const spki = key.publicKey.export({ type: 'spki', format: 'der' });
  const signer: Signer = {
    sign: async (data) => ({
      signature: sign('sha256', data, { key: key.privateKey, dsaEncoding: 'der' }),
      key: { $case: 'publicKey', publicKey: key.pem, hint: 'interop-key' },
    }),
  };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    // sigstore-js matches checkpoint signer names against the log's base URL.
    r = await testRekor(db, { REKOR_HOSTNAME: '127.0.0.1', REKOR_V2_ORIGIN: '127.0.0.1' });
    url = await r.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await r.app.close();
    await db.close();
  });

  function verifier(): Verifier {
    const tlog = (log: { spki: Uint8Array; logId: Buffer; key: { type: string } }) => ({
      baseUrl: url,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: Buffer.from(log.spki).toString('base64'),
        keyDetails: log.key.type === 'ed25519' ? 'PKIX_ED25519' : 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
      logId: { keyId: log.logId.toString('base64') },
    });
    const root = TrustedRoot.fromJSON({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [tlog(r.logs.v1), tlog(r.logs.v2!)],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    });
    const keys = {
      'interop-key': { rawBytes: spki, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor: { start: new Date(0) } },
    };
    return new Verifier(toTrustMaterial(root, keys), { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 0 });
  }

  it('hashedrekord: a message-signature bundle is logged and verifies', async () => {
    const artifact = randomBytes(64);
    const builder = new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: url })] });
    const bundle = await builder.create({ data: artifact });
    const entry = bundle.verificationMaterial.tlogEntries[0]!;
    expect(entry.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.1' });
    expect(entry.inclusionPromise).toBeDefined();
    expect(entry.inclusionProof?.checkpoint?.envelope).toContain(`127.0.0.1 - ${r.logs.v1.treeId}`);
    verifier().verify(toSignedEntity(bundle, artifact));
    expect(() => verifier().verify(toSignedEntity(bundle, randomBytes(64)))).toThrow();
  });

  it.each(['dsse', 'intoto'] as const)('%s: a DSSE bundle is logged and verifies', async (entryType) => {
    const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'x', predicate: {} }));
    const builder = new DSSEBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: url, entryType })] });
    const bundle = await builder.create({ data: payload, type: 'application/vnd.in-toto+json' });
    expect(bundle.verificationMaterial.tlogEntries[0]!.kindVersion.kind).toBe(entryType);
    verifier().verify(toSignedEntity(bundle));
  });

  it('a duplicate submission is answered 409 and fetched by the client (fetchOnConflict)', async () => {
    const artifact = randomBytes(64);
    const first = await new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: url })] }).create({ data: artifact });
    // ECDSA signatures differ each time, so resubmit the same signature through the witness itself.
    const witness = new RekorWitness({ rekorBaseURL: url, fetchOnConflict: true });
    const content = first.content as Extract<typeof first.content, { $case: 'messageSignature' }>;
    const again = await witness.testify({ $case: 'messageSignature', messageSignature: content.messageSignature }, key.pem);
    expect(again.tlogEntries[0]!.logIndex).toBe(first.verificationMaterial.tlogEntries[0]!.logIndex);
  });

  it('Rekor v2: a TransparencyLogEntry from /api/v2 verifies with @sigstore/verify', async () => {
    // sigstore-js 4.1's v2 witness labels a bare public key as an x509Certificate (a TODO in its
    // source), which a strict log must refuse; this witness sends the same request with the key
    // labelled as what it is, and reads the answer exactly as TLogV2Client does.
    const v2Witness: Witness = {
      testify: async (content) => {
        if (content.$case !== 'messageSignature') throw new Error('unexpected content');
        const res = await fetch(`${url}/api/v2/log/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            hashedRekordRequestV002: {
              digest: content.messageSignature.messageDigest!.digest.toString('base64'),
              signature: {
                content: content.messageSignature.signature.toString('base64'),
                verifier: { publicKey: { rawBytes: spki.toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
              },
            },
          }),
        });
        expect(res.status).toBe(201);
        const tle = TransparencyLogEntry.fromJSON(await res.json());
        return { tlogEntries: [{ ...tle, logId: tle.logId!, kindVersion: tle.kindVersion! }] };
      },
    };
    const artifact = randomBytes(64);
    const bundle = await new MessageSignatureBundleBuilder({ signer, witnesses: [v2Witness] }).create({ data: artifact });
    expect(bundle.verificationMaterial.tlogEntries[0]!.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.2' });
    verifier().verify(toSignedEntity(bundle, artifact));
  });
});
