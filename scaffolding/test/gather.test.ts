import { readFile } from 'node:fs/promises';
import { encodePem, exportPrivateKey, exportPublicKey, generateKeyPair, importPublicKey } from '@sigstack/crypto';
import { ed25519NoteSigner, formatCheckpoint, signNote } from '@sigstack/merkle';
import { sharedTestdata } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherTrustMaterial, noteKeyId } from '../src/gather.js';
import type { FetchLike } from '../src/gather.js';
import { trustTargetFiles } from '../src/trust-targets.js';

const NOW = new Date('2026-09-01T00:00:00Z');
const publicRoot = parseTrustedRoot(await readFile(sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json'), 'utf8'));
const chainPem = (certs: { rawBytes: Uint8Array }[]) => certs.map((c) => encodePem('CERTIFICATE', c.rawBytes)).join('');
const fulcioChain = chainPem(publicRoot.certificateAuthorities.at(-1)!.certChain.certificates);
const tsaChain = chainPem(publicRoot.timestampAuthorities[0]!.certChain.certificates);
const rekorV1 = publicRoot.tlogs[0]!;
const ctlog = publicRoot.ctlogs.at(-1)!;

let rekorV2Pem: string;
let checkpoint: string;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ed25519');
  rekorV2Pem = exportPublicKey(publicKey, 'pem');
  const seed = exportPrivateKey(privateKey, 'der').subarray(-32);
  checkpoint = await signNote(formatCheckpoint({ origin: 'log.example.internal', size: 3, rootHash: new Uint8Array(32), extensions: [] }), [
    ed25519NoteSigner('log.example.internal', seed),
  ]);
});

/** A fake deployment answering the real APIs' paths; records what was asked. */
function fakeServices(routes: Record<string, string>): { fetch: FetchLike; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: async (url) => {
      asked.push(url);
      const body = routes[url];
      return { ok: body !== undefined, status: body === undefined ? 404 : 200, text: async () => body ?? '' };
    },
  };
}

describe('gatherTrustMaterial', () => {
  it('reads every service and builds a trusted root and signing config clients accept', async () => {
    const services = fakeServices({
      'https://fulcio.example/api/v2/trustBundle': JSON.stringify({
        chains: [{ certificates: publicRoot.certificateAuthorities.at(-1)!.certChain.certificates.map((c) => encodePem('CERTIFICATE', c.rawBytes)) }],
      }),
      'https://rekor.example/api/v1/log/publicKey': encodePem('PUBLIC KEY', rekorV1.publicKey.rawBytes),
      'https://tsa.example/api/v1/timestamp/certchain': tsaChain,
      'https://log.example.internal/api/v2/checkpoint': checkpoint,
    });
    const material = await gatherTrustMaterial(
      {
        fulcio: { url: 'https://fulcio.example' },
        rekor: [{ url: 'https://rekor.example/' }],
        rekorV2: [{ url: 'https://log.example.internal', publicKeyPem: rekorV2Pem }],
        ctlogs: [{ url: 'https://ctlog.example', publicKeyPem: encodePem('PUBLIC KEY', ctlog.publicKey.rawBytes) }],
        tsa: [{ url: 'https://tsa.example' }],
        oidc: [{ url: 'https://oidc.example' }],
        operator: 'example',
      },
      { fetch: services.fetch, now: NOW },
    );
    expect(services.asked).toHaveLength(4);
    const root = material.trustedRoot;
    // Rekor v1 and CT logs: logId is SHA-256 of the SPKI, the same as the public root's.
    expect(root.tlogs[0]?.logId.keyId).toEqual(rekorV1.logId.keyId);
    expect(root.ctlogs[0]?.logId.keyId).toEqual(ctlog.logId.keyId);
    // Rekor v2: logId = checkpointKeyId = the signed-note key hash for the checkpoint's origin.
    const v2 = root.tlogs[1]!;
    expect(v2.logId.keyId).toEqual(Buffer.from(noteKeyId('log.example.internal', importPublicKey(rekorV2Pem))));
    expect(v2.checkpointKeyId?.keyId).toEqual(v2.logId.keyId);
    expect(root.certificateAuthorities[0]?.certChain.certificates).toHaveLength(2);
    expect(root.timestampAuthorities[0]?.uri).toBe('https://tsa.example');
    expect(material.signingConfig.tsaUrls[0]?.url).toBe('https://tsa.example/api/v1/timestamp');
    expect(material.signingConfig.rekorTlogUrls.map((s) => [s.url, s.majorApiVersion])).toEqual([
      ['https://rekor.example', 1],
      ['https://log.example.internal', 2],
    ]);

    // Round trip through our parser, then sigstore-js's own trust-material parsing.
    const files = trustTargetFiles(material);
    const text = Buffer.from(files.get('trusted_root.json')!).toString('utf8');
    expect(parseTrustedRoot(text)).toEqual(root);
    const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(text)));
    expect(trust.tlogs).toHaveLength(2);
    expect(trust.ctlogs).toHaveLength(1);
    expect(trust.timestampAuthorities).toHaveLength(1);
  });

  it('computes the public log2025-1 id the way the public root does', () => {
    const log = publicRoot.tlogs[1]!;
    expect(Buffer.from(noteKeyId('log2025-1.rekor.sigstore.dev', importPublicKey(log.publicKey.rawBytes)))).toEqual(log.logId.keyId);
  });

  it('takes material from files without asking any service', async () => {
    const services = fakeServices({});
    const material = await gatherTrustMaterial(
      { fulcio: { url: 'https://fulcio.example', chainPem: fulcioChain }, tsa: [{ url: 'https://tsa.example', chainPem: tsaChain }] },
      { fetch: services.fetch, now: NOW },
    );
    expect(services.asked).toEqual([]);
    expect(material.trustedRoot.certificateAuthorities).toHaveLength(1);
  });

  it.each([
    ['a service that is down', { rekor: [{ url: 'https://rekor.example' }] }, {}],
    ['a key that is not a key', { rekor: [{ url: 'https://rekor.example' }] }, { 'https://rekor.example/api/v1/log/publicKey': 'hello' }],
    ['a trust bundle without chains', { fulcio: { url: 'https://f.example' } }, { 'https://f.example/api/v2/trustBundle': '{"chains":[]}' }],
    ['a chain that is not certificates', { tsa: [{ url: 'https://t.example' }] }, { 'https://t.example/api/v1/timestamp/certchain': encodePem('PUBLIC KEY', rekorV1.publicKey.rawBytes) }],
  ])('refuses %s', async (_name, spec, routes) => {
    await expect(gatherTrustMaterial(spec, { fetch: fakeServices(routes).fetch, now: NOW })).rejects.toMatchObject({ code: 'GATHER_FAILED' });
  });

  it('refuses a Rekor v2 checkpoint not signed by the configured key', async () => {
    const other = exportPublicKey((await generateKeyPair('ed25519')).publicKey, 'pem');
    const services = fakeServices({ 'https://log.example.internal/api/v2/checkpoint': checkpoint });
    await expect(
      gatherTrustMaterial({ rekorV2: [{ url: 'https://log.example.internal', publicKeyPem: other }] }, { fetch: services.fetch, now: NOW }),
    ).rejects.toMatchObject({ code: 'GATHER_FAILED' });
  });
});
