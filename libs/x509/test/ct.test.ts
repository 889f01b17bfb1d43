// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { keyId } from '@sigstack/crypto';
import { X509Certificate as CoreCertificate } from '@sigstore/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OID,
  decodeMerkleTreeLeaf,
  decodeSct,
  decodeSctListExtension,
  embeddedSctEntry,
  encodeMerkleTreeLeaf,
  encodeSct,
  encodeSctListExtension,
  issuerKeyHash,
  parseCertificate,
  precertTbs,
  sctSignedData,
  signSct,
  splitCertificate,
  tbsWithoutSctList,
  treeHeadSignedData,
  verifySct,
} from '../src/index.js';
import type { CtEntry ,
  X509Error} from '../src/index.js';
import { caught } from './helpers.js';
import { makeCert, makeHierarchy, keyPair, toPrivateKey } from './pki.js';
import type { CryptoKeyPair, TestCa } from './pki.js';

const require = createRequire(import.meta.url);
const { verifySCTs } = require('@sigstore/verify/dist/key/sct.js') as {
  verifySCTs: (cert: CoreCertificate, issuer: CoreCertificate, logs: unknown[]) => Buffer[];
};

/** TBS without an extension, the slow way: decode with @peculiar/asn1-x509, filter, re-encode. */
function referenceTbsWithout(der: Uint8Array, oid: string): Uint8Array {
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  tbs.extensions = tbs.extensions?.filter((e) => e.extnID !== oid) as typeof tbs.extensions;
  return new Uint8Array(AsnConvert.serialize(tbs));
}

let intermediate: TestCa;
let logKeys: CryptoKeyPair;
beforeAll(async () => {
  ({ intermediate } = await makeHierarchy());
  logKeys = await keyPair();
});

describe('precertificates and embedded SCTs, end to end', () => {
  it('an SCT over a precert verifies on the final certificate that embeds it (ours and sigstore-js)', async () => {
    const log = await toPrivateKey(logKeys);
    const leafKeys = await keyPair();
    const san = new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'alice@example.com' }], true);
    const precert = await makeCert({ issuer: intermediate, keys: leafKeys, poison: true, extraExtensions: [san] });
    const parsedPre = parseCertificate(precert.der);
    expect(parsedPre.isPrecertificate).toBe(true);

    const entry: CtEntry = {
      type: 'precert_entry',
      issuerKeyHash: issuerKeyHash(splitCertificate(intermediate.der)),
      tbsCertificate: precertTbs(parsedPre),
    };
    expect(entry.tbsCertificate).toEqual(referenceTbsWithout(precert.der, OID.precertPoison));
    const sct = signSct(log, entry, Date.UTC(2025, 5, 1));
    expect(verifySct(sct, entry, log.publicKey)).toBe(true);
    expect(decodeSct(encodeSct(sct))).toEqual(sct);

    // The final certificate carries the SCT list (the next test pins serials to compare the TBS too).
    const ext = encodeSctListExtension([sct]);
    const final = await makeCert({
      issuer: intermediate,
      keys: leafKeys,
      extraExtensions: [san, new x509.Extension(ext.oid, ext.critical, Buffer.from(ext.value))],
    });
    const parsedFinal = parseCertificate(final.der);
    expect(parsedFinal.embeddedScts).toEqual([sct]);
    expect(tbsWithoutSctList(parsedFinal)).toEqual(referenceTbsWithout(final.der, OID.sctList));
  });

  it('with a fixed serial, the embedded SCT verifies with ours and with sigstore-js', async () => {
    const log = await toPrivateKey(logKeys);
    const leafKeys = await keyPair();
    const common = { serialNumber: '0badc0de', subject: '', issuer: intermediate.cert.subject, notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2025-06-01T00:10:00Z'), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, publicKey: leafKeys.publicKey, signingKey: intermediate.keys.privateKey };
    const base = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([OID.codeSigning]),
      new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'alice@example.com' }], true),
    ];
    const pre = await x509.X509CertificateGenerator.create({ ...common, extensions: [...base, new x509.Extension(OID.precertPoison, true, Uint8Array.of(5, 0))] });
    const preParsed = parseCertificate(new Uint8Array(pre.rawData));
    const entry: CtEntry = { type: 'precert_entry', issuerKeyHash: issuerKeyHash(parseCertificate(intermediate.der)), tbsCertificate: precertTbs(preParsed) };
    const sct = signSct(log, entry, Date.UTC(2025, 5, 1, 0, 0, 1));
    const final = await x509.X509CertificateGenerator.create({ ...common, extensions: [...base, new x509.Extension(OID.sctList, false, Buffer.from(encodeSctListExtension([sct]).value))] });
    const parsed = parseCertificate(new Uint8Array(final.rawData));
    const fromFinal = embeddedSctEntry(parsed, parseCertificate(intermediate.der));
    expect(fromFinal).toEqual(entry);
    expect(verifySct(parsed.embeddedScts![0]!, fromFinal, log.publicKey)).toBe(true);

    const logs = [{ logID: Buffer.from(keyId(log.publicKey)), baseURL: '', publicKey: log.publicKey.keyObject, validFor: { start: new Date(0), end: new Date(8.64e15) } }];
    const ids = verifySCTs(CoreCertificate.parse(Buffer.from(final.rawData)), CoreCertificate.parse(Buffer.from(intermediate.der)), logs);
    expect(ids).toEqual([Buffer.from(keyId(log.publicKey))]);
  });

  it('x509_entry SCTs sign the whole certificate', async () => {
    const log = await toPrivateKey(logKeys);
    const leaf = await makeCert({ issuer: intermediate });
    const entry: CtEntry = { type: 'x509_entry', certificate: leaf.der };
    const sct = signSct(log, entry, 1_700_000_000_000, Uint8Array.of(1, 2, 3));
    expect(verifySct(sct, entry, log.publicKey)).toBe(true);
    expect(verifySct(sct, { type: 'x509_entry', certificate: leaf.der.subarray(1) }, log.publicKey)).toBe(false);
    const other = await toPrivateKey(await keyPair());
    expect(verifySct(sct, entry, other.publicKey)).toBe(false);
  });

  it('precertTbs refuses a certificate without poison, tbsWithoutSctList one without SCTs', async () => {
    const leaf = await makeCert({ issuer: intermediate });
    expect((caught(() => precertTbs(splitCertificate(leaf.der))) as X509Error).code).toBe('WRONG_ENTRY_TYPE');
    expect((caught(() => tbsWithoutSctList(splitCertificate(leaf.der))) as X509Error).code).toBe('WRONG_ENTRY_TYPE');
  });
});

describe('RFC 6962 byte layouts', () => {
  it('the SCT signature input for an x509_entry', () => {
    const data = sctSignedData({ timestamp: 0x0102030405, extensions: Uint8Array.of(0xee) }, { type: 'x509_entry', certificate: Uint8Array.of(0xaa, 0xbb) });
    expect(Buffer.from(data).toString('hex')).toBe('00' + '00' + '0000000102030405' + '0000' + '000002aabb' + '0001ee');
  });

  it('the SCT signature input for a precert_entry', () => {
    const hash = new Uint8Array(32).fill(7);
    const data = sctSignedData({ timestamp: 1, extensions: new Uint8Array() }, { type: 'precert_entry', issuerKeyHash: hash, tbsCertificate: Uint8Array.of(0x30, 0x00) });
    expect(Buffer.from(data).toString('hex')).toBe('0000' + '0000000000000001' + '0001' + '07'.repeat(32) + '0000023000' + '0000');
  });

  it('a MerkleTreeLeaf round-trips and matches the signed layout after its two header bytes', () => {
    const leaf = { timestamp: 42, entry: { type: 'x509_entry', certificate: Uint8Array.of(1) } as CtEntry, extensions: new Uint8Array() };
    const bytes = encodeMerkleTreeLeaf(leaf);
    expect(Buffer.from(bytes).toString('hex')).toBe('0000' + '000000000000002a' + '0000' + '00000101' + '0000');
    expect(decodeMerkleTreeLeaf(bytes)).toEqual(leaf);
  });

  it('the TreeHeadSignature input', () => {
    const data = treeHeadSignedData({ timestamp: 2, treeSize: 3, rootHash: new Uint8Array(32).fill(1) });
    expect(Buffer.from(data).toString('hex')).toBe('0001' + '0000000000000002' + '0000000000000003' + '01'.repeat(32));
  });

  it('the SCT list extension is an OCTET STRING around the TLS list', async () => {
    const log = await toPrivateKey(logKeys);
    const sct = signSct(log, { type: 'x509_entry', certificate: Uint8Array.of(1) }, 5);
    const ext = encodeSctListExtension([sct, sct]);
    expect(ext.value[0]).toBe(0x04);
    expect(decodeSctListExtension(ext.value)).toEqual([sct, sct]);
  });
});
