// The hand-written certificate decoder against the @peculiar/asn1-x509 one it replaced
// (kept in test/reference/): on every real certificate and on mutations of them, both
// accept or both refuse, and what they accept they decode identically.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mutatedBytes } from '@sigstack/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { X509Error, encodeSubjectAltName, encodeSigstoreExtensions, parseCertificate, parseCertificates } from '../src/index.js';
import * as reference from './reference/certificate.js';
import { b64, bundleVerifyDir, publicTargetsDir, readJson } from './helpers.js';
import { makeCert, makeHierarchy } from './pki.js';

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

// Where the reference accepted what DER forbids, and this decoder refuses it: constructed
// strings, BOOLEAN other than 0x00/0xff, empty INTEGER or OID, invalid UTF-8, times that
// are not YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ or not real, fractional seconds, OID arcs past
// 2^53, a negative or huge pathLenConstraint, nonzero BIT STRING padding, end-of-contents,
// the reserved universal tag 15.
const STRICTER = /constructed string in DER|cannot be constructed|BOOLEAN is not DER|empty INTEGER|empty object identifier|not valid UTF-8|is not a DER time|validity times must be|OBJECT IDENTIFIER arc is too large|not a minimal non-negative INTEGER|BIT STRING unused bits are not DER|end-of-contents in DER|reserved universal tag/;

function outcome(parse: (der: Uint8Array) => { publicKey: unknown }, der: Uint8Array): Outcome {
  try {
    const { publicKey: _publicKey, ...fields } = parse(der);
    return { ok: true, value: fields };
  } catch (error) {
    if (!(error instanceof X509Error)) throw error;
    return { ok: false, code: error.code, message: error.message };
  }
}

/** Every certificate in the shared test data: bundle chains, trusted roots (CAs and TSAs), PEM files. */
function realCertificates(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dir of readdirSync(bundleVerifyDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const base = path.join(bundleVerifyDir, dir.name);
    const files = readdirSync(base);
    if (files.includes('bundle.sigstore.json')) {
      const vm = readJson<{ verificationMaterial: { certificate?: { rawBytes: string }; x509CertificateChain?: { certificates: { rawBytes: string }[] } } }>(base, 'bundle.sigstore.json').verificationMaterial;
      for (const c of [vm.certificate, ...(vm.x509CertificateChain?.certificates ?? [])]) if (c?.rawBytes) out.push(b64(c.rawBytes));
    }
    if (files.includes('trusted_root.json')) out.push(...rootCertificates(path.join(base, 'trusted_root.json')));
  }
  out.push(...rootCertificates(path.join(publicTargetsDir, 'trusted_root.json')));
  for (const name of ['fulcio.crt.pem', 'fulcio_v1.crt.pem', 'fulcio_intermediate_v1.crt.pem']) {
    out.push(...parseCertificates(readFileSync(path.join(publicTargetsDir, name), 'utf8')).map((c) => c.der));
  }
  const seen = new Set<string>();
  return out.filter((der) => {
    const key = Buffer.from(der).toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function rootCertificates(file: string): Uint8Array[] {
  const root = readJson<{ certificateAuthorities?: { certChain: { certificates: { rawBytes: string }[] } }[]; timestampAuthorities?: { certChain: { certificates: { rawBytes: string }[] } }[] }>(file);
  return [...(root.certificateAuthorities ?? []), ...(root.timestampAuthorities ?? [])].flatMap((ca) => ca.certChain.certificates.map((c) => b64(c.rawBytes)));
}

const corpus: Uint8Array[] = realCertificates();

beforeAll(async () => {
  // Certificates from an independent encoder, with the extensions Sigstore reads.
  const { root, intermediate } = await makeHierarchy();
  const san = encodeSubjectAltName({ emails: ['alice@example.com'], uris: ['https://example.com/x'], username: 'alice' });
  const sigstore = encodeSigstoreExtensions({ issuer: 'https://issuer.example', buildTrigger: 'push' });
  corpus.push(root.der, intermediate.der, (await makeCert({ issuer: intermediate, extensions: [san, ...sigstore] })).der, (await makeCert({ issuer: intermediate, poison: true })).der);
});

describe('the hand-written decoder agrees with the @peculiar/asn1-x509 reference', () => {
  it('on every real certificate, field by field', () => {
    expect(corpus.length).toBeGreaterThan(15);
    for (const der of corpus) {
      const theirs = outcome(reference.parseCertificate, der);
      expect(theirs.ok).toBe(true);
      expect(outcome(parseCertificate, der)).toEqual(theirs);
    }
  });

  it('on mutated certificates: flipped, cut and inserted bytes', () => {
    const mutated = mutatedBytes(corpus);
    fc.assert(
      fc.property(mutated, (der) => {
        const theirs = outcome(reference.parseCertificate, der);
        const ours = outcome(parseCertificate, der);
        if (ours.ok) expect(ours).toEqual(theirs);
        else if (theirs.ok) expect(ours.message).toMatch(STRICTER);
      }),
      { numRuns: Number(process.env.X509_REFERENCE_RUNS ?? 3000) },
    );
  });
});
