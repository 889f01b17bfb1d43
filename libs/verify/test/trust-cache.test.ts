import { publicGoodTrustedRootText } from '@sigstack/testing';
import { parseTrustedRoot } from '@sigstack/trust';
import { describe, expect, it } from 'vitest';
import { trustedCertificate, trustedKey } from '../src/trust-cache.js';

const root = parseTrustedRoot(publicGoodTrustedRootText());
const caDer = root.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes;
const logKeyDer = root.tlogs[0]!.publicKey.rawBytes!;

describe('trusted material cache', () => {
  it('answers the same bytes with the same parse, even from a copy of the bytes', () => {
    expect(trustedCertificate(Uint8Array.from(caDer))).toBe(trustedCertificate(caDer));
    expect(trustedKey(Uint8Array.from(logKeyDer))).toBe(trustedKey(logKeyDer));
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
