import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MerkleError,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseTilePath,
  parseVerifierKey,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '../src/index.js';
import { testdataDir } from './testdata.js';

// Random and mutated input must only ever produce a MerkleError (or a value),
// never another exception or a hang.

function onlyMerkleErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof MerkleError)) throw e;
  }
}

const notesDir = path.join(testdataDir, 'signed-notes');
const exampleNote = readFileSync(path.join(notesDir, 'signed-note-example.note'), 'utf8');
const exampleVkey = readFileSync(path.join(notesDir, 'signed-note-example.vkey'), 'utf8').trim();
const cosignedNote = readFileSync(path.join(notesDir, 'tlog-cosignature-example.note'), 'utf8');
const rekor = JSON.parse(readFileSync(path.join(notesDir, 'rekor-v1-ecdsa-checkpoints.json'), 'utf8')) as {
  vectors: { vkey: string; note: string | null }[];
};
const rekorNote = rekor.vectors[0]?.note as string;
const verifiers = [parseVerifierKey(exampleVkey), parseVerifierKey(rekor.vectors[0]?.vkey as string)];

const ALPHABET = ['\n', '\u2014', ' ', '+', '/', '=', 'A', 'a', '0', '1', 'x', '.', 'p', '\u0000', '\uD800', 'é'];

/** Strings built from characters that matter to the parsers. */
const structured = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 200 }).map((cs) => cs.join(''));

/** A valid sample with random edits: replace, insert, delete, duplicate a slice. */
function mutated(samples: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat(40), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...ALPHABET)));
  return fc.tuple(fc.constantFrom(...samples), fc.array(edit, { maxLength: 4 })).map(([base, edits]) => {
    let s = base;
    for (const [at, len, ins] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + ins + s.slice(i + len % 3);
    }
    return s;
  });
}

const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), structured);
const params = { numRuns: 1000 };

describe('fuzz: parsers', () => {
  it('parseNote / verifyNote', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mutated([exampleNote, cosignedNote, rekorNote])), (input) => {
        onlyMerkleErrors(() => parseNote(input));
        onlyMerkleErrors(() => verifyNote(input, verifiers));
      }),
      params,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyMerkleErrors(() => parseNote(bytes));
      }),
      params,
    );
  });

  it('parseCheckpoint', () => {
    const samples = [`o\n1\n${'A'.repeat(43)}=\n`, 'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\nx\n'];
    fc.assert(
      fc.property(fc.oneof(anyText, mutated(samples)), (input) => {
        onlyMerkleErrors(() => parseCheckpoint(input));
      }),
      params,
    );
  });

  it('parseVerifierKey / parseSignerKey', () => {
    const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
    fc.assert(
      fc.property(fc.oneof(anyText, mutated([exampleVkey, rekor.vectors[0]?.vkey as string, skey])), (input) => {
        onlyMerkleErrors(() => parseVerifierKey(input));
        onlyMerkleErrors(() => parseSignerKey(input));
      }),
      params,
    );
  });

  it('parseTilePath', () => {
    const samples = ['tile/0/x001/x234/067', 'tile/3/x001/000.p/7', 'tile/entries/005.p/12'];
    const digits = fc.array(fc.constantFrom('tile', 'entries', 'x001', '000', '.p', '12', '0', '/', 'x', '9'), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(fc.oneof(anyText, mutated(samples), digits.map((p) => p.join('/'))), (input) => {
        onlyMerkleErrors(() => parseTilePath(input));
      }),
      params,
    );
  });
});

describe('fuzz: proof verifiers', () => {
  const hash = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.uint8Array({ maxLength: 40 }),
  );
  const number = fc.oneof(
    fc.nat(100),
    fc.integer(),
    fc.double(),
    fc.constantFrom(2 ** 53, 2 ** 53 - 1, -1, Number.NaN, Infinity),
  );
  const proof = fc.array(hash, { maxLength: 70 });

  it('verifyInclusion / rootFromInclusionProof', () => {
    fc.assert(
      fc.property(number, number, hash, proof, hash, (index, size, leaf, p, root) => {
        onlyMerkleErrors(() => rootFromInclusionProof(index, size, leaf, p));
        onlyMerkleErrors(() => verifyInclusion(index, size, leaf, p, root));
      }),
      params,
    );
  });

  it('verifyConsistency', () => {
    fc.assert(
      fc.property(number, number, proof, hash, hash, (size1, size2, p, root1, root2) => {
        onlyMerkleErrors(() => verifyConsistency(size1, size2, p, root1, root2));
      }),
      params,
    );
  });

  it('never accepts a random proof for a known root', () => {
    const root = new Uint8Array(32).fill(9);
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 12 }), (a, b, p) => {
        const [size1, size2] = a <= b ? [a + 1, b + 1] : [b + 1, a + 1];
        let accepted = true;
        try {
          verifyConsistency(size1, size2, p, root, root);
        } catch (e) {
          accepted = false;
          expect(e).toBeInstanceOf(MerkleError);
        }
        // Only equal sizes with an empty proof and equal roots are accepted.
        expect(accepted).toBe(size1 === size2 && p.length === 0);
      }),
      params,
    );
  });
});
