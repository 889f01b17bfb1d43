import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { ServiceError } from '@sigstack/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DerRequestParser, parseDerRequest, parseJsonRequest } from '../src/request.js';

const rules = { defaultPolicy: '1.3.6.1.4.1.57264.2', accepted: new Set(['1.3.6.1.4.1.57264.2', '1.2.3.4.5']) };
const valid = new Uint8Array(
  AsnConvert.serialize(
    new TimeStampReq({
      version: 1,
      messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1', parameters: null }), hashedMessage: new OctetString(new Uint8Array(32)) }),
      nonce: new Uint8Array([1, 2, 3]).buffer,
      certReq: true,
    }),
  ),
);

/** Accepts, or throws a ServiceError (the typed refusal): never anything else. */
function onlyTyped(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
  }
}

describe('request parsers under hostile input', () => {
  it('random bytes give only typed refusals', () => {
    const parser = new DerRequestParser(rules);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyTyped(() => parseDerRequest(bytes, rules));
        onlyTyped(() => parser.parse(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('mutated valid queries give only typed refusals or an accepted request', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -3, max: 3 }), (at, value, cut) => {
        const bytes = Uint8Array.from(valid);
        bytes[at] = value;
        onlyTyped(() => parseDerRequest(cut >= 0 ? bytes : bytes.subarray(0, bytes.length + cut), rules));
      }),
      { numRuns: 400 },
    );
  });

  it('random JSON bodies give only typed refusals', () => {
    fc.assert(
      fc.property(
        fc.record({ artifactHash: fc.string(), hashAlgorithm: fc.constantFrom('sha256', 'SHA384', 'sha512', 'sha1', 'x', ''), nonce: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null)), tsaPolicyOID: fc.string() }, { requiredKeys: ['artifactHash', 'hashAlgorithm'] }),
        (body) => onlyTyped(() => parseJsonRequest(body, rules)),
      ),
      { numRuns: 400 },
    );
  });
});

const HASHES = [
  ['2.16.840.1.101.3.4.2.1', 32],
  ['2.16.840.1.101.3.4.2.2', 48],
  ['2.16.840.1.101.3.4.2.3', 64],
  ['1.3.14.3.2.26', 20],
  ['1.2.840.113549.2.5', 16],
] as const;

/** DER queries as clients send them, with now and then a refused hash, length, policy or nonce form. */
const queryArb = fc
  .record({
    hash: fc.constantFrom(...HASHES),
    nullParameters: fc.boolean(),
    wrongLength: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, -1, 1),
    seed: fc.uint8Array({ minLength: 65, maxLength: 65 }),
    nonce: fc.option(
      fc.tuple(fc.constantFrom([], [0], [0, 0], [0xff], [0x80]), fc.uint8Array({ minLength: 0, maxLength: 24 })).map(([head, tail]) => Uint8Array.from([...head, ...tail])).filter((n) => n.length > 0),
      { nil: undefined },
    ),
    certReq: fc.boolean(),
    policy: fc.option(fc.constantFrom('1.3.6.1.4.1.57264.2', '1.2.3.4.5', '1.2.3.4.6'), { nil: undefined }),
  })
  .map(({ hash: [oid, length], nullParameters, wrongLength, seed, nonce, certReq, policy }) => {
    const req = new TimeStampReq({
      version: 1,
      messageImprint: new MessageImprint({
        hashAlgorithm: new AlgorithmIdentifier(nullParameters ? { algorithm: oid, parameters: null } : { algorithm: oid }),
        hashedMessage: new OctetString(seed.slice(0, length + wrongLength)),
      }),
      certReq,
    });
    if (nonce) req.nonce = nonce.slice().buffer;
    if (policy) req.reqPolicy = policy;
    return new Uint8Array(AsnConvert.serialize(req));
  });

/** The accepted request, or the refusal's code. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).code;
  }
}

describe('DerRequestParser (query templates)', () => {
  it('answers as parseDerRequest does, for queries and their mutations, once it knows their shapes', () => {
    const parser = new DerRequestParser(rules);
    fc.assert(
      fc.property(queryArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -2, max: 1 }), (query, at, value, cut) => {
        for (const bytes of [query, query]) expect(outcome(() => parser.parse(bytes))).toEqual(outcome(() => parseDerRequest(bytes, rules)));
        const mutated = Uint8Array.from(query);
        mutated[at % mutated.length] = value;
        const body = cut < 0 ? mutated.subarray(0, mutated.length + cut) : cut > 0 ? Uint8Array.from([...mutated, 0]) : mutated;
        expect(outcome(() => parser.parse(body))).toEqual(outcome(() => parseDerRequest(body, rules)));
      }),
      { numRuns: 1500 },
    );
    // The shapes were learned and used: the fast path was compared, not only the strict one.
    expect(parser.stats.matched).toBeGreaterThan(100);
  });

  it('keeps a bounded number of shapes, and still answers right past the bound', () => {
    const parser = new DerRequestParser(rules);
    const query = (nonceLength: number) =>
      new Uint8Array(
        AsnConvert.serialize(
          new TimeStampReq({
            version: 1,
            messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1' }), hashedMessage: new OctetString(new Uint8Array(32).fill(7)) }),
            nonce: new Uint8Array(nonceLength).fill(0x11).buffer,
          }),
        ),
      );
    for (let round = 0; round < 2; round++) {
      for (let n = 1; n <= 80; n++) expect(parser.parse(query(n))).toEqual(parseDerRequest(query(n), rules));
    }
  });
});
