import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePem } from '@sigstack/crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificates } from '../src/index.js';
import { b64, bundleLeaf, openssl, publicTargetsDir, scratchDir, trustedRoot } from './helpers.js';
import { readFileSync } from 'node:fs';

// Cross-checks with /usr/bin/openssl, an independent X.509 implementation.
const scratch = scratchDir();
afterAll(() => scratch.cleanup());
const file = (name: string, content: string): string => {
  const target = path.join(scratch.dir, name);
  writeFileSync(target, content);
  return target;
};

const opensslDate = (text: string): Date => new Date(text.replace(/\s+/g, ' ').replace(' GMT', 'Z'));

describe('parsed fields agree with openssl x509', () => {
  it.each(['happy-path-v0.3', 'bundle-with-sct-with-extensions', 'happy-path-v0.1'])('%s', (caseName) => {
    const der = bundleLeaf(caseName)!;
    const cert = parseCertificate(der);
    const pem = encodePem('CERTIFICATE', der);
    const out = openssl(['x509', '-noout', '-serial', '-startdate', '-enddate', '-ext', 'subjectAltName,basicConstraints,keyUsage', '-nameopt', 'RFC2253'], pem);
    expect(out).toContain(`serial=${cert.serialNumber.toUpperCase()}`);
    const start = /notBefore=(.*)/.exec(out)![1]!;
    const end = /notAfter=(.*)/.exec(out)![1]!;
    expect(cert.notBefore.getTime()).toBe(opensslDate(start).getTime());
    expect(cert.notAfter.getTime()).toBe(opensslDate(end).getTime());
    for (const uri of cert.subjectAltNames!.uris) expect(out).toContain(`URI:${uri}`);
    expect(out).toContain('Digital Signature');
    // openssl's SPKI is ours, byte for byte.
    const spki = openssl(['x509', '-noout', '-pubkey'], pem);
    expect(spki.replace(/\s/g, '')).toBe(encodePem('PUBLIC KEY', cert.subjectPublicKeyInfo).replace(/\s/g, ''));
    // And the SCT list openssl prints names the same log ids.
    const text = openssl(['x509', '-noout', '-text'], pem);
    for (const sct of cert.embeddedScts!) {
      const hex = Buffer.from(sct.logId).toString('hex').toUpperCase().match(/../g)!.join(':');
      expect(text.replace(/\s+/g, '')).toContain(hex);
    }
  });
});

describe('openssl verify -attime agrees with verifyChain', () => {
  it('the happy-path leaf verifies against the public Fulcio CA at its notBefore, and not after expiry', () => {
    const leaf = parseCertificate(bundleLeaf('happy-path-v0.3')!);
    const ca = trustedRoot().certificateAuthorities.map((c) => c.certChain.certificates.map((x) => b64(x.rawBytes)));
    const chain = ca.find((certs) => certs.some((d) => parseCertificate(d).subjectName.text === leaf.issuerName.text))!;
    const root = file('root.pem', encodePem('CERTIFICATE', chain[chain.length - 1]!));
    const untrusted = file('inter.pem', chain.slice(0, -1).map((d) => encodePem('CERTIFICATE', d)).join(''));
    const leafFile = file('leaf.pem', encodePem('CERTIFICATE', leaf.der));
    const at = String(Math.floor(leaf.notBefore.getTime() / 1000) + 60);
    expect(openssl(['verify', '-attime', at, '-purpose', 'any', '-CAfile', root, '-untrusted', untrusted, leafFile])).toContain('OK');
    const late = String(Math.floor(leaf.notAfter.getTime() / 1000) + 60);
    expect(() => openssl(['verify', '-attime', late, '-CAfile', root, '-untrusted', untrusted, leafFile])).toThrow();
  });

  it('the public-good PEM files parse identically through openssl', () => {
    for (const name of ['fulcio.crt.pem', 'fulcio_v1.crt.pem', 'fulcio_intermediate_v1.crt.pem']) {
      const pem = readFileSync(path.join(publicTargetsDir, name), 'utf8');
      for (const cert of parseCertificates(pem)) {
        // openssl re-encodes what it parsed; DER admits one encoding, so both must agree.
        const again = openssl(['x509', '-outform', 'PEM'], encodePem('CERTIFICATE', cert.der));
        const der = b64(again.replace(/-----[^-]+-----|\s/g, ''));
        expect(Buffer.from(der).equals(Buffer.from(cert.der))).toBe(true);
      }
    }
  });
});
