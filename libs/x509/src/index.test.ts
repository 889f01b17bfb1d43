import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'OID',
      'SIGSTORE_EXTENSION_OIDS',
      'X509Error',
      'checkStrictDer',
      'decodeDigitallySigned',
      'decodeMerkleTreeLeaf',
      'decodeSct',
      'decodeSctList',
      'decodeSctListExtension',
      'decodeSigstoreExtensions',
      'embeddedSctEntry',
      'encodeDigitallySigned',
      'encodeMerkleTreeLeaf',
      'encodeSct',
      'encodeSctList',
      'encodeSctListExtension',
      'encodeSigstoreExtensions',
      'encodeSubjectAltName',
      'issuerKeyHash',
      'orderChain',
      'parseCertificate',
      'parseCertificates',
      'precertTbs',
      'sctSignedData',
      'signDigitallySigned',
      'signSct',
      'signatureScheme',
      'splitCertificate',
      'tbsWithoutSctList',
      'treeHeadSignedData',
      'verifyCertificateSignature',
      'verifyCertificateSignatureAsync',
      'verifyChain',
      'verifyDigitallySigned',
      'verifyIssuerChain',
      'verifySct',
    ]);
  });
});
