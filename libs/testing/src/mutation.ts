import fc from 'fast-check';

/**
 * A fast-check arbitrary of real inputs slightly broken: one of `corpus` with one to three
 * bytes flipped, cut short, or with one to four bytes inserted. Parsers must refuse these
 * with their typed error, and a parser and its reference must agree on them.
 */
export function mutatedBytes(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.nat({ max: 1000 }),
      fc.oneof(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }).map((flips) => ({ flips })),
        fc.nat().map((cut) => ({ cut })),
        fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([at, extra]) => ({ at, extra })),
      ),
    )
    .map(([pick, how]) => {
      const base = corpus[pick % corpus.length] as Uint8Array;
      if ('flips' in how) {
        const out = Uint8Array.from(base);
        for (const [i, x] of how.flips) out[i % out.length] = (out[i % out.length] as number) ^ x;
        return out;
      }
      if ('cut' in how) return base.subarray(0, how.cut % base.length);
      const at = how.at % base.length;
      return new Uint8Array(Buffer.concat([base.subarray(0, at), how.extra, base.subarray(at)]));
    });
}
