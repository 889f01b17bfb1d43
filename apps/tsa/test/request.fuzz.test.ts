import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { ServiceError } from '@sigstack/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDerRequest, parseJsonRequest } from '../src/request.js';

const rules = { defaultPolicy: '1.3.6.1.4.1.57264.2', accepted: new Set(['1.3.6.1.4.1.57264.2']) };
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
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyTyped(() => parseDerRequest(bytes, rules))), { numRuns: 400 });
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
