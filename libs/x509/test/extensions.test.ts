// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  SIGSTORE_EXTENSION_OIDS,
  decodeSigstoreExtensions,
  encodeSigstoreExtensions,
  encodeSubjectAltName,
  parseCertificate,
} from '../src/index.js';
import type { SigstoreExtensionValues, X509Error } from '../src/index.js';
import { caught, openssl } from './helpers.js';
import { makeCert, makeHierarchy } from './pki.js';
import { encodePem } from '@sigstack/crypto';

const values: SigstoreExtensionValues = {
  issuer: 'https://token.actions.githubusercontent.com',
  githubWorkflowTrigger: 'push',
  githubWorkflowSha: 'abc',
  githubWorkflowName: 'release',
  githubWorkflowRepository: 'org/repo',
  githubWorkflowRef: 'refs/heads/main',
  buildSignerUri: 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main',
  buildSignerDigest: 'abc',
  runnerEnvironment: 'github-hosted',
  sourceRepositoryUri: 'https://github.com/org/repo',
  sourceRepositoryDigest: 'abc',
  sourceRepositoryRef: 'refs/heads/main',
  sourceRepositoryIdentifier: '1',
  sourceRepositoryOwnerUri: 'https://github.com/org',
  sourceRepositoryOwnerIdentifier: '2',
  buildConfigUri: 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main',
  buildConfigDigest: 'abc',
  buildTrigger: 'push',
  runInvocationUri: 'https://github.com/org/repo/actions/runs/1/attempts/1',
  sourceRepositoryVisibilityAtSigning: 'public',
};

describe('Sigstore extensions', () => {
  it('lists the 21 OIDs of sigstore/fulcio docs/oid-info.md (.1-.6, .8-.22)', () => {
    const arcs = Object.values(SIGSTORE_EXTENSION_OIDS).map((o) => Number(o.split('.').pop())).sort((a, b) => a - b);
    expect(arcs).toEqual([1, 2, 3, 4, 5, 6, ...Array.from({ length: 15 }, (_, i) => i + 8)]);
  });

  it('encodes the issuer twice (raw .1, UTF8String .8) and v2 values as DER UTF8String', () => {
    const exts = encodeSigstoreExtensions(values);
    const issuerV1 = exts.find((e) => e.oid === '1.3.6.1.4.1.57264.1.1')!;
    const issuer = exts.find((e) => e.oid === '1.3.6.1.4.1.57264.1.8')!;
    expect(Buffer.from(issuerV1.value).toString()).toBe(values.issuer);
    expect(issuer.value[0]).toBe(0x0c);
    expect(Buffer.from(issuer.value.subarray(2)).toString()).toBe(values.issuer);
    expect(exts.every((e) => !e.critical)).toBe(true);
    expect(decodeSigstoreExtensions(exts)).toEqual({ ...values, issuerV1: values.issuer });
  });

  it('leaves out empty values and refuses unknown fields or a missing issuer', () => {
    expect(encodeSigstoreExtensions({ issuer: 'https://x', buildTrigger: '' }).map((e) => e.oid)).toEqual([
      '1.3.6.1.4.1.57264.1.1',
      '1.3.6.1.4.1.57264.1.8',
    ]);
    const bad = [{ issuer: '' }, { issuer: 'x', colour: 'red' }, { issuer: 'x', issuerV1: 'y' }, { issuer: 'x', buildTrigger: '\ud800' }];
    for (const v of bad) expect((caught(() => encodeSigstoreExtensions(v as SigstoreExtensionValues)) as X509Error).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a v2 value that is not a DER UTF8String, and bad UTF-8', () => {
    const oid = SIGSTORE_EXTENSION_OIDS.issuer;
    for (const value of [Buffer.from('raw'), Uint8Array.of(0x13, 1, 0x41), Uint8Array.of(0x0c, 1, 0xff), Uint8Array.of(0x0c, 2, 0x41)]) {
      expect((caught(() => decodeSigstoreExtensions([{ oid, value }])) as X509Error).code).toBe('MALFORMED_EXTENSION');
    }
    expect((caught(() => decodeSigstoreExtensions([{ oid: SIGSTORE_EXTENSION_OIDS.issuerV1, value: Uint8Array.of(0xc3) }])) as X509Error).code).toBe('MALFORMED_EXTENSION');
  });

  it('a certificate issued with them decodes to the same values, and openssl reads them', async () => {
    const { intermediate } = await makeHierarchy();
    const san = encodeSubjectAltName({ uris: [values.buildSignerUri!] });
    const cert = await makeCert({ issuer: intermediate, extensions: [san, ...encodeSigstoreExtensions(values)] });
    const parsed = parseCertificate(cert.der);
    expect(parsed.sigstore).toEqual({ ...values, issuerV1: values.issuer });
    expect(parsed.subjectAltNames?.uris).toEqual([values.buildSignerUri]);
    expect(parsed.extensions.find((e) => e.oid === '2.5.29.17')?.critical).toBe(true);
    const text = openssl(['x509', '-noout', '-text'], encodePem('CERTIFICATE', cert.der));
    expect(text).toContain('1.3.6.1.4.1.57264.1.22');
    expect(text).toContain(`URI:${values.buildSignerUri}`);
  });

  it('the username OtherName SAN round-trips, next to an email', async () => {
    const { intermediate } = await makeHierarchy();
    const san = encodeSubjectAltName({ emails: ['alice@example.com'], username: 'alice' });
    const cert = await makeCert({ issuer: intermediate, extensions: [san] });
    const parsed = parseCertificate(cert.der);
    expect(parsed.subjectAltNames?.username).toBe('alice');
    expect(parsed.subjectAltNames?.emails).toEqual(['alice@example.com']);
    expect(parsed.subjectAltNames?.otherNames[0]?.typeId).toBe('1.3.6.1.4.1.57264.1.7');
    // @peculiar/x509's own decoder sees the same OtherName.
    const theirs = new x509.X509Certificate(cert.der).getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(theirs.names.items.some((n) => n.type === 'email' && n.value === 'alice@example.com')).toBe(true);
  });
});
