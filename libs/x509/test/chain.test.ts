// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID, orderChain, parseCertificate, verifyChain, verifyIssuerChain } from '../src/index.js';
import type { ParsedCertificate, X509ErrorCode } from '../src/index.js';
import { caught } from './helpers.js';
import { makeCert, makeHierarchy } from './pki.js';
import type { TestCa } from './pki.js';

const AT = new Date('2026-01-01T00:00:00Z');
const p = (ca: TestCa): ParsedCertificate => parseCertificate(ca.der);
const code = (fn: () => unknown): X509ErrorCode | undefined => (caught(fn) as { code?: X509ErrorCode } | undefined)?.code;

let root: TestCa;
let intermediate: TestCa;
let leaf: TestCa;
beforeAll(async () => {
  ({ root, intermediate } = await makeHierarchy());
  leaf = await makeCert({ issuer: intermediate });
});

describe('orderChain', () => {
  it('orders a shuffled chain leaf-first', () => {
    const ordered = orderChain([p(root), p(leaf), p(intermediate)]);
    expect(ordered.map((c) => c.subjectName.text)).toEqual(['', 'CN=Test Intermediate, O=sigstack', 'CN=Test Root, O=sigstack']);
  });

  it('refuses sets that are not one path', async () => {
    const stranger = await makeCert({ ca: true, subject: 'CN=Stranger' });
    expect(code(() => orderChain([p(leaf), p(root)]))).toBe('CHAIN_INCOMPLETE');
    expect(code(() => orderChain([p(leaf), p(intermediate), p(stranger)]))).toBe('CHAIN_INCOMPLETE');
    expect(code(() => orderChain([]))).toBe('INVALID_ARGUMENT');
  });
});

describe('verifyChain', () => {
  it('verifies leaf -> intermediate -> root, with the root given or only trusted', () => {
    const roots = [p(root)];
    expect(verifyChain([p(leaf), p(intermediate)], { roots, at: AT, leafKeyUsage: 'digitalSignature', extendedKeyUsage: OID.codeSigning })).toHaveLength(3);
    expect(verifyChain([p(leaf), p(intermediate), p(root)], { roots, at: AT })).toHaveLength(3);
  });

  it('refuses a foreign root', async () => {
    const other = await makeHierarchy();
    expect(code(() => verifyChain([p(leaf), p(intermediate)], { roots: [p(other.root)], at: AT }))).toBe('UNTRUSTED_ROOT');
    expect(code(() => verifyChain([p(leaf), p(intermediate), p(root)], { roots: [p(other.root)], at: AT }))).toBe('UNTRUSTED_ROOT');
  });

  it('refuses a time outside any certificate validity', () => {
    expect(code(() => verifyChain([p(leaf), p(intermediate)], { roots: [p(root)], at: new Date('2024-12-31T23:59:59Z') }))).toBe('CERTIFICATE_EXPIRED');
    expect(code(() => verifyChain([p(leaf), p(intermediate)], { roots: [p(root)], at: new Date('2035-01-01T00:00:01Z') }))).toBe('CERTIFICATE_EXPIRED');
    // Both ends are inclusive, as RFC 5280 says.
    expect(verifyChain([p(leaf), p(intermediate)], { roots: [p(root)], at: new Date('2035-01-01T00:00:00Z') })).toHaveLength(3);
  });

  it('refuses a leaf acting as a CA, and a path longer than pathLenConstraint', async () => {
    const fake = await makeCert({ issuer: leaf });
    expect(code(() => verifyChain([p(fake), p(leaf), p(intermediate)], { roots: [p(root)], at: AT }))).toBe('NOT_A_CA');
    const sub = await makeCert({ ca: true, subject: 'CN=Sub CA', issuer: intermediate });
    const deep = await makeCert({ issuer: sub });
    expect(code(() => verifyChain([p(deep), p(sub), p(intermediate)], { roots: [p(root)], at: AT }))).toBe('NOT_A_CA');
  });

  it('refuses a bad signature', async () => {
    // Same names and key id as the real intermediate, different key.
    const impostor = await makeCert({ ca: true, pathLength: 0, subject: 'CN=Test Intermediate, O=sigstack', issuer: root });
    const forged = await makeCert({ issuer: impostor });
    expect(code(() => verifyChain([p(forged), p(intermediate)], { roots: [p(root)], at: AT }))).toBeOneOf(['SIGNATURE_INVALID', 'CHAIN_INCOMPLETE']);
    const der = new Uint8Array(leaf.der);
    der[der.length - 5]! ^= 1;
    expect(code(() => verifyChain([p({ ...leaf, der }), p(intermediate)], { roots: [p(root)], at: AT }))).toBe('SIGNATURE_INVALID');
  });

  it('checks key usage and EKU when asked', async () => {
    const noSign = await makeCert({ issuer: intermediate, keyUsage: x509.KeyUsageFlags.keyEncipherment });
    expect(code(() => verifyChain([p(noSign), p(intermediate)], { roots: [p(root)], at: AT, leafKeyUsage: 'digitalSignature' }))).toBe('KEY_USAGE_MISMATCH');
    expect(code(() => verifyChain([p(leaf), p(intermediate)], { roots: [p(root)], at: AT, extendedKeyUsage: '1.3.6.1.5.5.7.3.1' }))).toBe('KEY_USAGE_MISMATCH');
  });

  it('checks each signature of the path exactly once, through signatureCheck when given', () => {
    const [l, i, r] = [p(leaf), p(intermediate), p(root)];
    const calls: string[] = [];
    const name = (c: ParsedCertificate) => (c === l ? 'leaf' : c === i ? 'intermediate' : 'root');
    const signatureCheck = (cert: ParsedCertificate, issuer: ParsedCertificate) => {
      calls.push(`${name(cert)}<-${name(issuer)}`);
      return true;
    };
    verifyChain([l, i], { roots: [r], at: AT, signatureCheck });
    expect(calls.sort()).toEqual(['intermediate<-root', 'leaf<-intermediate']);
    // Its answer is the answer: a false one fails the chain.
    expect(code(() => verifyChain([l, i], { roots: [r], at: AT, signatureCheck: (c) => c !== l }))).toBe('SIGNATURE_INVALID');
    expect(code(() => verifyChain([l, i], { roots: [r], at: AT, signatureCheck: (c) => c !== i }))).toBe('UNTRUSTED_ROOT');
  });

  it('refuses unknown critical extensions', async () => {
    const odd = await makeCert({ issuer: intermediate, extraExtensions: [new x509.Extension('1.2.3.4', true, Uint8Array.of(5, 0))] });
    expect(code(() => verifyChain([p(odd), p(intermediate)], { roots: [p(root)], at: AT }))).toBe('UNHANDLED_CRITICAL_EXTENSION');
  });
});

describe('verifyIssuerChain (the CA part only, as a CT log checks it)', () => {
  it('accepts the intermediate up to the root, refuses a leaf as issuer', () => {
    expect(verifyIssuerChain([p(intermediate)], { roots: [p(root)], at: AT })).toHaveLength(2);
    expect(verifyIssuerChain([p(root)], { roots: [p(root)], at: AT })).toHaveLength(1);
    expect(code(() => verifyIssuerChain([p(leaf), p(intermediate)], { roots: [p(root)], at: AT }))).toBe('NOT_A_CA');
  });

  it('counts the first issuer against a root pathLenConstraint of 0', async () => {
    const tight = await makeCert({ ca: true, pathLength: 0, subject: 'CN=Tight Root' });
    const sub = await makeCert({ ca: true, subject: 'CN=Under Tight', issuer: tight });
    expect(code(() => verifyIssuerChain([p(sub)], { roots: [p(tight)], at: AT }))).toBe('NOT_A_CA');
    // verifyChain sees `sub` as a leaf, so there is nothing to count.
    expect(verifyChain([p(sub)], { roots: [p(tight)], at: AT })).toHaveLength(2);
  });
});
