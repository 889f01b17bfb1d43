import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScaffoldingError } from '../src/error.js';
import { gatherTrustMaterial } from '../src/gather.js';
import { parseMetadata } from '../src/metadata.js';
import { parseExpiryPolicy } from '../src/policy.js';
import { MetadataKind } from '@tufjs/models';

// Parsers of untrusted input fail only with a ScaffoldingError, never another exception.
const onlyTyped = (error: unknown) => {
  expect(error).toBeInstanceOf(ScaffoldingError);
};
const NOW = new Date('2030-01-01T00:00:00Z');

describe('fuzz', () => {
  it('service answers (trust bundle, key, chain)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (body) => {
        const fetch = async () => ({ ok: true, status: 200, text: async () => body });
        for (const spec of [{ fulcio: { url: 'https://f.example' } }, { rekor: [{ url: 'https://r.example' }] }, { tsa: [{ url: 'https://t.example' }] }]) {
          await gatherTrustMaterial(spec, { fetch, now: NOW }).then(() => undefined, onlyTyped);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('metadata files and expiry policies', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const kind of [MetadataKind.Root, MetadataKind.Timestamp] as const) {
          try {
            parseMetadata(kind as MetadataKind.Root, text);
          } catch (error) {
            onlyTyped(error);
          }
        }
        try {
          parseExpiryPolicy(text);
        } catch (error) {
          onlyTyped(error);
        }
      }),
      { numRuns: 300 },
    );
  });
});
