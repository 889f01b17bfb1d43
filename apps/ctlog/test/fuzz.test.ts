// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import fc from 'fast-check';
import { ServiceError } from '@sigstack/server';
import { parseCertificate } from '@sigstack/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidator } from '../src/validate.js';
import type { EntryKind } from '../src/validate.js';
import { makeLeaf, makePki } from './pki.js';
import type { TestPki } from './pki.js';

let pki: TestPki;
let leaf: Uint8Array;
let precert: Uint8Array;
let validator: ChainValidator;
beforeAll(async () => {
  pki = await makePki();
  leaf = (await makeLeaf(pki.intermediate)).der;
  precert = (await makeLeaf(pki.intermediate, { precert: true })).der;
  validator = new ChainValidator([parseCertificate(pki.root.der)], { maxChain: 5, clock: () => Date.UTC(2026, 0, 1) });
});

function mutated(base: () => Uint8Array) {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const out = new Uint8Array(base());
      for (const [i, x] of flips) out[i % out.length] = (out[i % out.length] as number) ^ x;
      return out;
    }),
    fc.nat().map((n) => base().subarray(0, n % base().length)),
    fc.uint8Array({ maxLength: 300 }),
  );
}

/** Chains are attacker-controlled: anything but a valid chain is a 4xx ServiceError, nothing else. */
async function only4xx(chain: Uint8Array[], kind: EntryKind): Promise<void> {
  try {
    await validator.validate(chain, kind);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(400);
  }
}

describe('the chain validator refuses garbage with 400s only', () => {
  it('mutated leaves and precertificates', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(() => leaf), mutated(() => precert), fc.boolean(), async (a, b, pre) => {
        await only4xx([a, pki.intermediate.der], pre ? 'precert_entry' : 'x509_entry');
        await only4xx([b, pki.intermediate.der], pre ? 'precert_entry' : 'x509_entry');
      }),
      { numRuns: 150 },
    );
  });

  it('mutated issuers', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(() => pki.intermediate.der), async (issuer) => only4xx([leaf, issuer], 'x509_entry')),
      { numRuns: 150 },
    );
  });
});
