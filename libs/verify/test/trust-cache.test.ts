import { publicGoodTrustedRootText } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '@sigstack/x509';
import { isTrustedCertificate, trustedCertificate, trustedKey, trustedSignatureCheck } from '../src/trust-cache.js';

const root = parseTrustedRoot(publicGoodTrustedRootText());
const caDer = root.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes;
const logKeyDer = root.tlogs[0]!.publicKey.rawBytes!;

describe('trusted material cache', () => {
  it('answers the same bytes with the same parse, even from a copy of the bytes', () => {
    expect(trustedCertificate(Uint8Array.from(caDer))).toBe(trustedCertificate(caDer));
    expect(trustedKey(Uint8Array.from(logKeyDer))).toBe(trustedKey(logKeyDer));
  });

  it('answers by bytes, not by array: an array changed in place gets the parse of its new bytes', () => {
    const bytes = Uint8Array.from(caDer);
    const first = trustedCertificate(bytes);
    expect(trustedCertificate(bytes)).toBe(first);
    bytes[bytes.length - 1]! ^= 1;
    const second = trustedCertificate(bytes);
    expect(second).not.toBe(first);
    expect(Buffer.from(second.der).equals(Buffer.from(bytes))).toBe(true);
    bytes[bytes.length - 1]! ^= 1;
    expect(trustedCertificate(bytes)).toBe(first);
  });

  it('misses on any changed byte, and never keeps a failure', () => {
    const resigned = Uint8Array.from(caDer);
    resigned[resigned.length - 1]! ^= 1; // a signature byte: still parses, as another certificate
    expect(trustedCertificate(resigned)).not.toBe(trustedCertificate(caDer));
    expect(Buffer.from(trustedCertificate(resigned).signature)).not.toEqual(Buffer.from(trustedCertificate(caDer).signature));
    const broken = Uint8Array.from(caDer);
    broken[0] = 0x31; // not a SEQUENCE: no parse, and no cached failure either
    expect(() => trustedCertificate(broken)).toThrow();
    expect(() => trustedCertificate(broken)).toThrow();
  });
});

describe('trusted signature check', () => {
  const [intermediateDer, rootDer] = root.certificateAuthorities.at(-1)!.certChain.certificates.map((c) => c.rawBytes);

  it('remembers a signature only between trusted-root certificates, and only a valid one', () => {
    const intermediate = trustedCertificate(intermediateDer!);
    const ca = trustedCertificate(rootDer!);
    expect(isTrustedCertificate(intermediate)).toBe(true);
    expect(trustedSignatureCheck(intermediate, ca)).toBe(true);
    expect(trustedSignatureCheck(intermediate, ca)).toBe(true);
    // The same bytes handed in for verification (not from the trusted root): checked afresh.
    const handed = parseCertificate(intermediateDer!);
    expect(isTrustedCertificate(handed)).toBe(false);
    expect(trustedSignatureCheck(handed, ca)).toBe(true);
    const forged = Uint8Array.from(intermediateDer!);
    forged[forged.length - 3]! ^= 1; // a signature byte
    expect(trustedSignatureCheck(parseCertificate(forged), ca)).toBe(false);
    expect(trustedSignatureCheck(trustedCertificate(forged), ca)).toBe(false);
    expect(trustedSignatureCheck(trustedCertificate(forged), ca)).toBe(false);
  });
});
