import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CryptoError,
  decodePem,
  digest,
  exportPublicKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  keyId,
  sign,
  signDigest,
  verify,
  verifyDigest,
} from '../src/index.js';
import type { KeyType, SignatureOptions } from '../src/index.js';
import { caught, openssl, scratchDir } from './helpers.js';

// Cross-checks against Debian's /usr/bin/openssl, an independent implementation.
const scratch = scratchDir();
afterAll(() => scratch.cleanup());
const file = (name: string, content: Uint8Array | string): string => {
  const target = path.join(scratch.dir, name);
  writeFileSync(target, content);
  return target;
};
const data = new TextEncoder().encode('cross-checked with openssl\n');
const dataFile = file('data.txt', data);

describe('our signatures verify with openssl', () => {
  const cases: [KeyType, SignatureOptions, string[]][] = [
    ['ecdsa-p256', {}, ['-sha256']],
    ['ecdsa-p384', {}, ['-sha384']],
    ['rsa', {}, ['-sha256']],
    ['rsa', { hash: 'sha512' }, ['-sha512']],
    ['rsa', { rsaPadding: 'pss' }, ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest']],
  ];
  it.each(cases)('%s %j', async (type, options, flags) => {
    const { privateKey, publicKey } = await generateKeyPair(type, { rsaBits: 2048 });
    const pub = file(`${type}-${flags.length}.pub`, exportPublicKey(publicKey, 'pem'));
    const sig = file(`${type}-${flags.length}.sig`, sign(privateKey, data, options));
    expect(openssl(['dgst', ...flags, '-verify', pub, '-signature', sig, dataFile]).toString()).toContain('Verified OK');
    if (type !== 'rsa' || options.rsaPadding !== 'pss') {
      const hash = options.hash ?? (type === 'ecdsa-p384' ? 'sha384' : 'sha256');
      const overDigest = file(`${type}-digest.sig`, signDigest(privateKey, digest(hash, data), options));
      expect(openssl(['dgst', ...flags, '-verify', pub, '-signature', overDigest, dataFile]).toString()).toContain('Verified OK');
    }
  });

  it('ed25519', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ed25519');
    const pub = file('ed.pub', exportPublicKey(publicKey, 'pem'));
    const sig = file('ed.sig', sign(privateKey, data));
    const out = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', dataFile, '-sigfile', sig]);
    expect(out.toString()).toContain('Signature Verified Successfully');
  });
});

describe('openssl keys and signatures work here', () => {
  const generated: [string, string[], KeyType][] = [
    ['P-256 PKCS#8', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ecdsa-p256'],
    ['P-384 SEC1', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'], 'ecdsa-p384'],
    ['Ed25519', ['genpkey', '-algorithm', 'ED25519'], 'ed25519'],
    ['RSA 2048', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa'],
  ];
  it.each(generated)('%s', (_name, args, type) => {
    const keyPem = openssl(args).toString();
    const keyFile = file(`${type}.key`, keyPem);
    const privateKey = importPrivateKey(keyPem);
    expect(privateKey.type).toBe(type);

    const pubPem = openssl(['pkey', '-in', keyFile, '-pubout']).toString();
    const publicKey = importPublicKey(pubPem);
    const pubDer = openssl(['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']);
    expect(keyId(publicKey)).toEqual(digest('sha256', pubDer));
    expect(keyId(privateKey.publicKey)).toEqual(keyId(publicKey));
    expect(decodePem(pubPem).der).toEqual(new Uint8Array(pubDer));

    if (type === 'ed25519') {
      const sig = openssl(['pkeyutl', '-sign', '-inkey', keyFile, '-rawin', '-in', dataFile]);
      expect(verify(publicKey, data, sig)).toBe(true);
    } else {
      const hash = type === 'ecdsa-p384' ? 'sha384' : 'sha256';
      const sig = openssl(['dgst', `-${hash}`, '-sign', keyFile, dataFile]);
      expect(verify(publicKey, data, sig)).toBe(true);
      expect(verifyDigest(publicKey, digest(hash, data), sig)).toBe(true);
    }
  });

  it('refuses small RSA, other curves and compressed points from openssl', () => {
    const small = openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']).toString();
    expect((caught(() => importPrivateKey(small)) as CryptoError).code).toBe('WEAK_KEY');
    const p521 = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']).toString();
    expect((caught(() => importPrivateKey(p521)) as CryptoError).code).toBe('UNSUPPORTED_ALGORITHM');
    const p256 = file('p256.key', openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    const compressed = openssl(['ec', '-in', p256, '-pubout', '-conv_form', 'compressed']).toString();
    expect((caught(() => importPublicKey(compressed)) as CryptoError).code).toBe('INVALID_KEY');
    const explicit = openssl(['ec', '-in', p256, '-pubout', '-param_enc', 'explicit']).toString();
    expect(caught(() => importPublicKey(explicit))).toBeInstanceOf(CryptoError);
  });
});
