import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { importPublicKey, keyIdBase64 } from '@sigstack/crypto';
import { X509Certificate as CoreCertificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import {
  OID,
  embeddedSctEntry,
  parseCertificate,
  parseCertificates,
  verifyChain,
  verifySct,
} from '../src/index.js';
import type { KeyUsageName, ParsedCertificate } from '../src/index.js';
import { DEFAULT_IDENTITY, DEFAULT_ISSUER, b64, bundleLeaf, bundleVerifyDir, caseText, trustedRoot } from './helpers.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publicTargetsDir } from './helpers.js';

// sigstore-js's own SCT check (not exported from the package index, so loaded by path).
const require = createRequire(import.meta.url);
const { verifySCTs } = require('@sigstore/verify/dist/key/sct.js') as {
  verifySCTs: (cert: CoreCertificate, issuer: CoreCertificate, logs: unknown[]) => Buffer[];
};

const cases = readdirSync(bundleVerifyDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.endsWith('_fail') && bundleLeaf(d.name) !== undefined)
  .map((d) => d.name)
  .sort();

function caChains(caseName: string): ParsedCertificate[][] {
  return trustedRoot(caseName).certificateAuthorities.map((ca) => ca.certChain.certificates.map((c) => parseCertificate(b64(c.rawBytes))));
}

/** The trusted CA chain (leaf-first, root last) that verifies the leaf at its notBefore. */
function verifiedPath(caseName: string, leaf: ParsedCertificate): ParsedCertificate[] {
  for (const chain of caChains(caseName)) {
    const root = chain[chain.length - 1]!;
    try {
      return verifyChain([leaf, ...chain.slice(0, -1)], { roots: [root], at: leaf.notBefore, leafKeyUsage: 'digitalSignature', extendedKeyUsage: OID.codeSigning });
    } catch {
      // another CA of the trust root
    }
  }
  throw new Error(`no CA of the trust root verifies ${caseName}`);
}

/** The CT logs of a trust root whose keys are SPKI (staging also lists a PKCS#1 RSA key). */
function ctlogs(caseName: string) {
  return trustedRoot(caseName).ctlogs.flatMap((l) => {
    try {
      return [{ ...l, key: importPublicKey(b64(l.publicKey.rawBytes)) }];
    } catch {
      return [];
    }
  });
}

describe('conformance bundles: Fulcio leaf certificates', () => {
  it('covers the cases with certificates', () => {
    expect(cases).toContain('happy-path-v0.3');
    expect(cases).toContain('bundle-with-sct-with-extensions');
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('%s: identity and issuer extensions match the case', (caseName) => {
    const leaf = parseCertificate(bundleLeaf(caseName)!);
    const identity = caseText(caseName, 'identity', DEFAULT_IDENTITY);
    const issuer = caseText(caseName, 'issuer', DEFAULT_ISSUER);
    const sans = [...(leaf.subjectAltNames?.uris ?? []), ...(leaf.subjectAltNames?.emails ?? [])];
    expect(sans).toEqual([identity]);
    expect(leaf.sigstore.issuer ?? leaf.sigstore.issuerV1).toBe(issuer);
    expect(leaf.keyUsage).toEqual(['digitalSignature']);
    expect(leaf.extendedKeyUsage).toEqual([OID.codeSigning]);
    expect(leaf.isPrecertificate).toBe(false);
  });

  it('names the CA key usages as the KeyUsageName type does (crlSign and keyCertSign on every CA certificate)', () => {
    const usages: KeyUsageName[][] = caChains(cases[0]!).flat().map((ca) => [...(ca.keyUsage ?? [])]);
    expect(usages.length).toBeGreaterThan(0);
    for (const usage of usages) expect(usage).toEqual(['crlSign', 'keyCertSign']);
  });

  it.each(cases)('%s: chain verifies against the trusted Fulcio CA at notBefore', (caseName) => {
    const leaf = parseCertificate(bundleLeaf(caseName)!);
    const path = verifiedPath(caseName, leaf);
    expect(path[0]).toBe(leaf);
    expect(path.length).toBeGreaterThanOrEqual(2);
    // One second before notBefore the leaf is not yet valid.
    const chain = path.slice(0, -1);
    const roots = [path[path.length - 1]!];
    expect(() => verifyChain(chain, { roots, at: new Date(leaf.notBefore.getTime() - 1000) })).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_EXPIRED' }),
    );
  });

  it.each(cases)('%s: every embedded SCT verifies with its CT log key (byte-exact precert TBS)', (caseName) => {
    const leaf = parseCertificate(bundleLeaf(caseName)!);
    const scts = leaf.embeddedScts ?? [];
    expect(scts.length).toBeGreaterThan(0);
    const issuer = verifiedPath(caseName, leaf)[1]!;
    const entry = embeddedSctEntry(leaf, issuer);
    const logs = ctlogs(caseName).map((l) => l.key);
    for (const sct of scts) {
      const log = logs.find((k) => keyIdBase64(k) === Buffer.from(sct.logId).toString('base64'));
      expect(log, 'the SCT names a log of the trust root').toBeDefined();
      expect(verifySct(sct, entry, log!)).toBe(true);
      expect(verifySct({ ...sct, timestamp: sct.timestamp + 1 }, entry, log!)).toBe(false);
    }
  });

  it.each(cases)('%s: sigstore-js verifies the same SCTs', (caseName) => {
    const leaf = parseCertificate(bundleLeaf(caseName)!);
    const issuer = verifiedPath(caseName, leaf)[1]!;
    const logs = ctlogs(caseName).map((l) => ({
      logID: Buffer.from(l.logId.keyId, 'base64'),
      baseURL: '',
      publicKey: l.key.keyObject,
      validFor: { start: new Date(0), end: new Date(8.64e15) },
    }));
    const verified = verifySCTs(CoreCertificate.parse(Buffer.from(leaf.der)), CoreCertificate.parse(Buffer.from(issuer.der)), logs);
    expect(verified.map((id) => id.toString('base64'))).toEqual(leaf.embeddedScts!.map((s) => Buffer.from(s.logId).toString('base64')));
  });

  it('the SCT with a non-empty extension field (static-ct-api leaf index) decodes', () => {
    const leaf = parseCertificate(bundleLeaf('bundle-with-sct-with-extensions')!);
    expect(leaf.embeddedScts![0]!.extensions.length).toBeGreaterThan(0);
  });
});

describe('public-good TUF targets', () => {
  const pem = (name: string) => readFileSync(path.join(publicTargetsDir, name), 'utf8');

  it('parses the Fulcio roots and intermediates as CAs', () => {
    for (const name of ['fulcio.crt.pem', 'fulcio_v1.crt.pem', 'fulcio_intermediate_v1.crt.pem']) {
      for (const cert of parseCertificates(pem(name))) {
        expect(cert.basicConstraints?.ca, name).toBe(true);
        expect(cert.keyUsage).toContain('keyCertSign');
        expect(cert.subjectName.attributes.find((a) => a.name === 'O')?.value).toBe('sigstore.dev');
      }
    }
  });

  it('the v1 intermediate chains to the v1 root (pathlen 0)', () => {
    const [intermediate] = parseCertificates(pem('fulcio_intermediate_v1.crt.pem'));
    const [root] = parseCertificates(pem('fulcio_v1.crt.pem'));
    const path = verifyChain([intermediate!], { roots: [root!], at: intermediate!.notBefore });
    expect(path).toHaveLength(2);
    expect(intermediate!.basicConstraints).toEqual({ ca: true, pathLength: 0 });
  });

  it('the trusted_root ctlog ids are SHA-256 of the CT keys', () => {
    for (const log of trustedRoot().ctlogs) expect(keyIdBase64(importPublicKey(b64(log.publicKey.rawBytes)))).toBe(log.logId.keyId);
    expect(keyIdBase64(importPublicKey(pem('ctfe_2022.pub')))).toBe('3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=');
  });
});
