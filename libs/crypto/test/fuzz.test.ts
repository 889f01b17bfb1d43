import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../src/encrypted-key-format.js';
import {
  CryptoError,
  decodePem,
  decodePemBundle,
  decryptPrivateKey,
  exportPrivateKey,
  exportPublicKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
} from '../src/index.js';
import type { KeyPair } from '../src/index.js';
import { fixture } from './helpers.js';

// Property: hostile input yields a key or a CryptoError, never another exception.

function onlyCryptoError(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
  }
}

async function onlyCryptoErrorAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
  }
}

type Mutation = readonly ['flip' | 'insert' | 'delete' | 'truncate', number, number];
const mutations = fc.array(
  fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'truncate'), fc.nat(), fc.nat({ max: 255 })) as fc.Arbitrary<Mutation>,
  { minLength: 1, maxLength: 4 },
);

function mutate(input: Uint8Array, ops: readonly Mutation[]): Uint8Array {
  let bytes = Array.from(input);
  for (const [op, position, value] of ops) {
    const at = bytes.length === 0 ? 0 : position % bytes.length;
    if (op === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (1 << (value % 8));
    else if (op === 'insert') bytes.splice(at, 0, value);
    else if (op === 'delete') bytes.splice(at, 1 + (value % 8));
    else bytes = bytes.slice(0, at);
  }
  return Uint8Array.from(bytes);
}

const mutateText = (text: string, ops: readonly Mutation[]): string =>
  Buffer.from(mutate(new TextEncoder().encode(text), ops)).toString('latin1');

const pairs: KeyPair[] = await Promise.all(
  (['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa'] as const).map((type) => generateKeyPair(type, { rsaBits: 2048 })),
);
const pick = fc.nat({ max: pairs.length - 1 }).map((i) => pairs[i] as KeyPair);

describe('fuzzing the PEM reader', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => onlyCryptoError(() => decodePemBundle(text))), { numRuns: 1000 });
  });

  it('mutated PEM', () => {
    fc.assert(
      fc.property(pick, mutations, (pair, ops) => {
        onlyCryptoError(() => decodePem(mutateText(exportPublicKey(pair.publicKey, 'pem'), ops)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzzing the key parsers', () => {
  it('random bytes and text as public and private keys', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 })), (input) => {
        onlyCryptoError(() => importPublicKey(input));
        onlyCryptoError(() => importPrivateKey(input));
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated DER and PEM keys', () => {
    fc.assert(
      fc.property(pick, mutations, fc.boolean(), (pair, ops, pem) => {
        if (pem) {
          onlyCryptoError(() => importPublicKey(mutateText(exportPublicKey(pair.publicKey, 'pem'), ops)));
          onlyCryptoError(() => importPrivateKey(mutateText(exportPrivateKey(pair.privateKey, 'pem'), ops)));
        } else {
          onlyCryptoError(() => importPublicKey(mutate(exportPublicKey(pair.publicKey, 'der'), ops)));
          onlyCryptoError(() => importPrivateKey(mutate(exportPrivateKey(pair.privateKey, 'der'), ops)));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('random and mutated JWKs', () => {
    const member = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.base64String({ maxLength: 90 }).map((s) => s.replace(/=+$/, '')));
    fc.assert(
      fc.property(pick, fc.dictionary(fc.constantFrom('kty', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q', 'dp', 'dq', 'qi'), member), fc.boolean(), (pair, overrides, priv) => {
        const base = priv ? exportPrivateKey(pair.privateKey, 'jwk') : exportPublicKey(pair.publicKey, 'jwk');
        const jwk = { ...base, ...overrides } as never;
        onlyCryptoError(() => importPublicKey(jwk));
        onlyCryptoError(() => importPrivateKey(jwk));
      }),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyCryptoError(() => importPublicKey(value as never))), { numRuns: 500 });
  });
});

describe('fuzzing the encrypted-key reader', () => {
  const pem = fixture('cosign-sigstore-label.key');
  const envelope = JSON.parse(new TextDecoder().decode(decodePem(pem).der)) as Record<string, Record<string, unknown>>;
  const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

  // Structure-level mutations of the real envelope: parsing happens before any
  // scrypt work, so thousands of runs stay fast.
  it('structurally mutated envelopes', () => {
    const paths = [['kdf'], ['kdf', 'name'], ['kdf', 'params'], ['kdf', 'salt'], ['cipher'], ['cipher', 'name'], ['cipher', 'nonce'], ['ciphertext'], ['kdf', 'extra']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.option(fc.jsonValue({ maxDepth: 2 })), (where, value) => {
        const copy = structuredClone(envelope) as Record<string, unknown>;
        let parent = copy;
        for (const key of where.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
        const last = where.at(-1) as string;
        if (value === null) delete parent[last];
        else parent[last] = value;
        onlyCryptoError(() => parseEnvelope(encode(copy)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyCryptoError(() => parseEnvelope(bytes))), { numRuns: 500 });
  });

  it('refuses scrypt parameters cosign would refuse, before deriving anything', () => {
    const withParams = (params: unknown): Uint8Array => encode({ ...envelope, kdf: { ...envelope['kdf'], params } });
    for (const params of [{ N: 1 << 20, r: 8, p: 1 }, { N: 32768, r: 16, p: 1 }, { N: 32768, r: 8, p: 2 }, { N: 16384, r: 8, p: 1 }]) {
      expect(() => parseEnvelope(withParams(params))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_KDF_PARAMETERS' }));
    }
    const renamed = { ...envelope, cipher: { ...envelope['cipher'], name: 'aes-gcm' } };
    expect(() => parseEnvelope(encode(renamed))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });

  // The whole reader, scrypt included, on byte-mutated files: few runs, each bounded.
  it('byte-mutated encrypted key files', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (ops) => {
        await onlyCryptoErrorAsync(() => decryptPrivateKey(mutateText(pem, ops), 'hello'));
      }),
      { numRuns: 25 },
    );
  });
});
