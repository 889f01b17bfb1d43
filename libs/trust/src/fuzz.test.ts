import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleVerifyDir, publicTargetsDir, readText } from '../test/testdata.js';
import { TrustError } from './error.js';
import { parseSigningConfig } from './signing-config-parse.js';
import { serializeSigningConfig } from './signing-config-serialize.js';
import { parseTrustedRoot } from './trusted-root-parse.js';
import { serializeTrustedRoot } from './trusted-root-serialize.js';

// Property: whatever the input, a parser returns a value or throws its TrustError, never
// another exception; and what it returns it can write again.

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v] as [number, unknown])
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

type Mutation = { kind: 'delete' } | { kind: 'replace'; value: unknown } | { kind: 'add'; key: string; value: unknown };

function mutate(doc: unknown, path: Path, mutation: Mutation): unknown {
  const copy = structuredClone(doc);
  if (path.length === 0) return mutation.kind === 'replace' ? mutation.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (mutation.kind === 'replace') {
    parent[last] = mutation.value;
  } else {
    const target = parent[last];
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      (target as Record<string, unknown>)[mutation.key] = mutation.value;
    }
  }
  return copy;
}

// Values that hit the interesting cases: other JSON types, near-miss enum names and
// timestamps, odd base64, huge and fractional numbers.
const tricky = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    '',
    'PKIX_ED25519',
    'SHA2_256',
    'ANY',
    'EXACT',
    'hasOwnProperty',
    '__proto__',
    '2021-01-12T11:53:27Z',
    '9999-12-31T23:59:59.999999999Z',
    '2021-13-01T00:00:00Z',
    'AAAA',
    'A===',
    '-_-_',
    1e308,
    -0,
    0.5,
    2 ** 32,
    { keyId: 'AA==' },
    { start: '2030-01-01T00:00:00Z', end: '2020-01-01T00:00:00Z' },
  ),
);

function mutationArb(doc: unknown): fc.Arbitrary<unknown> {
  const all = paths(doc);
  return fc
    .tuple(
      fc.constantFrom(...all),
      fc.oneof(
        fc.constant<Mutation>({ kind: 'delete' }),
        tricky.map((value): Mutation => ({ kind: 'replace', value })),
        fc.tuple(fc.constantFrom('extra', 'end', 'count', 'operator', 'checkpointKeyId', 'keyId'), tricky).map(
          ([key, value]): Mutation => ({ kind: 'add', key, value }),
        ),
      ),
    )
    .map(([path, m]) => mutate(doc, path, m));
}

function onlyTrustErrors(parse: (input: unknown) => unknown, write: (value: never) => string) {
  return (input: unknown): void => {
    let parsed: unknown;
    try {
      parsed = parse(input);
    } catch (err) {
      if (!(err instanceof TrustError)) throw err;
      expect(err.code).toMatch(/^[A-Z_]+$/);
      return;
    }
    // Anything accepted can be written again and reads back the same.
    const text = write(parsed as never);
    expect(parse(text)).toEqual(parsed);
  };
}

// Bounded in count and time: a few seconds per test on a shared CI machine.
const runs = { numRuns: 800, interruptAfterTimeLimit: 2500 };

describe.each([
  {
    name: 'trusted root',
    parse: parseTrustedRoot,
    write: serializeTrustedRoot as (v: never) => string,
    files: [
      readText(publicTargetsDir, 'trusted_root.json'),
      // Carries nulls, checkpointKeyId, operator and ends.
      readText(bundleVerifyDir, 'trust-root-tlog-validity-end-inclusive', 'trusted_root.json'),
    ],
  },
  {
    name: 'signing config',
    parse: parseSigningConfig,
    write: serializeSigningConfig as (v: never) => string,
    files: [readText(publicTargetsDir, 'signing_config.v0.2.json'), readText(publicTargetsDir, 'signing_config_rekor_v2.v0.2.json')],
  },
])('fuzzing the $name parser', ({ parse, write, files }) => {
  const check = onlyTrustErrors(parse, write);

  it('random JSON values and texts', () => {
    fc.assert(fc.property(fc.jsonValue(), check), runs);
    fc.assert(fc.property(fc.string(), check), runs);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), check), runs);
  });

  it('one mutation of a real file', () => {
    for (const text of files) {
      const doc = JSON.parse(text) as unknown;
      fc.assert(fc.property(mutationArb(doc), check), runs);
    }
  });

  it('two mutations of a real file', () => {
    for (const text of files) {
      const doc = JSON.parse(text) as unknown;
      fc.assert(fc.property(mutationArb(doc).chain(mutationArb), check), { ...runs, numRuns: 300 });
    }
  });

  it('truncated and spliced texts', () => {
    const text = files[0] ?? '';
    fc.assert(
      fc.property(fc.nat({ max: text.length }), fc.nat({ max: text.length }), fc.string({ maxLength: 8 }), (a, b, insert) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        check(text.slice(0, lo) + insert + text.slice(hi));
      }),
      runs,
    );
  });
});
