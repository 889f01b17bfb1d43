import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  bundleFromJSON,
  checkTlogEntryBodies,
  envelopeFromJSON,
  parseBundle,
  parseEntryBody,
  parseEnvelope,
  parseRekorV1Request,
  parseRekorV2Request,
  parseStatement,
  serializeBundle,
  statementFromJSON,
} from '../src/index.js';
import { conformanceCases, readBundleText } from './testdata.js';

// Every parser takes attacker-controlled input: whatever it is given, it either
// succeeds or throws BundleError. Any other exception is a bug.
function onlyBundleErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleError) return true;
    throw e;
  }
  return true;
}

const RUNS = { numRuns: 400, interruptAfterTimeLimit: 4_000 };
const parsers: [string, (v: unknown) => unknown][] = [
  ['bundleFromJSON', bundleFromJSON],
  ['envelopeFromJSON', envelopeFromJSON],
  ['statementFromJSON', statementFromJSON],
  ['parseEntryBody', (v) => parseEntryBody(v)],
  ['parseRekorV1Request', parseRekorV1Request],
  ['parseRekorV2Request', parseRekorV2Request],
];
const textParsers: [string, (s: string) => unknown][] = [
  ['parseBundle', parseBundle],
  ['parseEnvelope', parseEnvelope],
  ['parseStatement', parseStatement],
  ['parseEntryBody', (s) => parseEntryBody(s)],
];

type Json = unknown;
type Path = (string | number)[];

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function retype(v: Json): Json {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : [v];
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v[0] ?? {};
  if (typeof v === 'object' && v !== null) return [v];
  return 'x';
}

type Op = { kind: 'delete' } | { kind: 'retype' } | { kind: 'replace'; value: Json } | { kind: 'flip' };

/** Applies one mutation at `path` of a deep copy of `root`. */
function mutate(root: Json, path: Path, op: Op): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return op.kind === 'replace' ? op.value : retype(copy);
  let parent: any = copy; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const k of path.slice(0, -1)) parent = parent[k];
  const key = path[path.length - 1]!;
  const old = parent[key];
  if (op.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (op.kind === 'retype') parent[key] = retype(old);
  else if (op.kind === 'replace') parent[key] = op.value;
  else if (typeof old === 'string' && old.length > 0) {
    const i = Math.floor(old.length / 2);
    parent[key] = old.slice(0, i) + String.fromCharCode(old.charCodeAt(i) ^ 1) + old.slice(i + 1);
  }
  return copy;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'delete' }),
  fc.constant<Op>({ kind: 'retype' }),
  fc.constant<Op>({ kind: 'flip' }),
  fc.jsonValue({ maxDepth: 2 }).map((value): Op => ({ kind: 'replace', value })),
);

const bundles = conformanceCases().map((n) => JSON.parse(readBundleText(n)) as Json);
const bundlePaths = bundles.map((b) => paths(b));

describe('fuzz: parsers only ever throw BundleError', () => {
  for (const [name, parse] of parsers) {
    it(`${name} on random JSON values`, () => {
      fc.assert(fc.property(fc.jsonValue(), (v) => onlyBundleErrors(() => parse(v))), RUNS);
    });
  }
  for (const [name, parse] of textParsers) {
    it(`${name} on random strings`, () => {
      fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => onlyBundleErrors(() => parse(s))), RUNS);
    });
  }

  it('bundleFromJSON on mutated conformance bundles, with round trips for survivors', () => {
    const arb = fc
      .nat(bundles.length - 1)
      .chain((i) => fc.tuple(fc.constant(i), fc.nat(bundlePaths[i]!.length - 1), opArb));
    fc.assert(
      fc.property(arb, ([i, p, op]) => {
        const mutated = mutate(bundles[i], bundlePaths[i]![p]!, op);
        return onlyBundleErrors(() => {
          const b = bundleFromJSON(mutated);
          expect(parseBundle(serializeBundle(b))).toEqual(b);
          checkTlogEntryBodies(b);
        });
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 6_000 },
    );
  });

  it('checkTlogEntryBodies on conformance bundles with mutated entry bodies', () => {
    const parsed = conformanceCases().flatMap((n) => {
      try {
        return [parseBundle(readBundleText(n))];
      } catch {
        return [];
      }
    });
    const bodies = parsed.map((b) => JSON.parse(b.verificationMaterial.tlogEntries[0]!.canonicalizedBody.toString()) as Json);
    const arb = fc.nat(parsed.length - 1).chain((i) => fc.tuple(fc.constant(i), fc.nat(paths(bodies[i]).length - 1), opArb));
    fc.assert(
      fc.property(arb, ([i, p, op]) => {
        const b = structuredClone(parsed[i]!);
        const mutated = mutate(bodies[i], paths(bodies[i])[p]!, op);
        b.verificationMaterial.tlogEntries[0]!.canonicalizedBody = Buffer.from(JSON.stringify(mutated) ?? 'null');
        return onlyBundleErrors(() => checkTlogEntryBodies(b));
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 6_000 },
    );
  });
});

describe('base64 fields', () => {
  // The definition the decoder implements: standard alphabet, padded, and the string is
  // the one its bytes encode to (no non-zero padding bits).
  const SPEC = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const accepted = (text: string) => SPEC.test(text) && Buffer.from(text, 'base64').toString('base64') === text;

  it('accept exactly canonical standard padded base64', () => {
    const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.'.split(''));
    const text = fc.oneof(
      fc.array(chars, { maxLength: 24 }).map((a) => a.join('')),
      fc.uint8Array({ maxLength: 18 }).map((b) => Buffer.from(b).toString('base64')),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 18 }), fc.nat(), chars).map(([b, at, c]) => {
        const t = Buffer.from(b).toString('base64');
        const i = at % t.length;
        return t.slice(0, i) + c + t.slice(i + 1);
      }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const bundle = JSON.parse(readBundleText('happy-path-v0.3'));
        bundle.messageSignature.signature = t;
        let ok = true;
        try {
          bundleFromJSON(bundle);
        } catch (error) {
          if (!(error instanceof BundleError)) throw error;
          ok = false;
        }
        expect(ok).toBe(accepted(t) && t.length > 0);
      }),
      { numRuns: 500 },
    );
  });
});
