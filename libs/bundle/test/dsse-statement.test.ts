import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  envelopeFromJSON,
  findSubjectByDigest,
  findSubjectsByDigest,
  IN_TOTO_PAYLOAD_TYPE,
  parseBundle,
  parseEnvelope,
  parseStatement,
  preAuthEncoding,
  serializeEnvelope,
  statementFromJSON,
  statementToJSON,
} from '../src/index.js';
import { refusal } from './errors.js';
import { CONFORMANCE, readArtifact, readBundleText } from './testdata.js';

describe('DSSE', () => {
  it('computes PAE over byte lengths', () => {
    expect(Buffer.from(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'))).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    // Lengths count UTF-8 bytes, not UTF-16 units.
    expect(Buffer.from(preAuthEncoding('é', new Uint8Array([0, 1]))).equals(Buffer.from('DSSEv1 2 é 2 \x00\x01', 'utf8'))).toBe(true);
    expect(Buffer.from(preAuthEncoding('', new Uint8Array())).toString()).toBe('DSSEv1 0  0 ');
  });

  it('parses envelopes strictly and keeps keyid presence', () => {
    const withKeyid = { payload: 'aGk=', payloadType: 't', signatures: [{ sig: 'c2ln', keyid: '' }, { sig: 'c2lnMg==' }] };
    const env = envelopeFromJSON(withKeyid);
    expect(env.signatures).toEqual([{ sig: Buffer.from('sig'), keyid: '' }, { sig: Buffer.from('sig2') }]);
    expect(JSON.parse(serializeEnvelope(env))).toEqual(withKeyid);
    expect(parseEnvelope(serializeEnvelope(env))).toEqual(env);
    expect(refusal(() => envelopeFromJSON({ ...withKeyid, signatures: [] }))).toEqual({ code: 'INVALID_FIELD', field: 'signatures' });
    expect(refusal(() => envelopeFromJSON({ ...withKeyid, payload: 'a b' }))).toEqual({ code: 'INVALID_FIELD', field: 'payload' });
    expect(refusal(() => envelopeFromJSON({ ...withKeyid, extra: 1 }))).toEqual({ code: 'UNKNOWN_FIELD', field: 'extra' });
    expect(refusal(() => envelopeFromJSON({ payload: 'aGk=', signatures: [{ sig: 'c2ln' }] }))).toEqual({ code: 'MISSING_FIELD', field: 'payloadType' });
  });
});

describe('in-toto statements', () => {
  const text = readFileSync(path.join(CONFORMANCE, 'statement.json'), 'utf8');

  it('parses the conformance statement and finds its subject by digest', () => {
    const s = parseStatement(text);
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v1');
    const digest = sha256(readFileSync(path.join(CONFORMANCE, 'a.txt')));
    expect(findSubjectByDigest(s, 'sha256', digest)?.name).toBe('a.txt');
    expect(findSubjectByDigest(s, 'sha256', Buffer.from(digest).toString('hex').toUpperCase())?.name).toBe('a.txt');
    expect(findSubjectByDigest(s, 'sha512', digest)).toBeUndefined();
    expect(findSubjectsByDigest(s, 'sha256', new Uint8Array(32))).toEqual([]);
    expect(statementFromJSON(statementToJSON(s))).toEqual(s);
  });

  it.each(['happy-path-intoto-in-dsse-v3', 'intoto-with-custom-trust-root', 'rekor2-dsse-happy-path'])(
    'parses the statement inside %s',
    (name) => {
      const b = parseBundle(readBundleText(name));
      if (b.content.$case !== 'dsseEnvelope') throw new Error();
      expect(b.content.dsseEnvelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
      const s = parseStatement(b.content.dsseEnvelope.payload);
      expect(s.subject.length).toBeGreaterThan(0);
      if (name === 'intoto-with-custom-trust-root') {
        expect(findSubjectByDigest(s, 'sha256', sha256(readArtifact(name)))).toBeDefined();
      }
    },
  );

  it('accepts v0.1 statements and ignores unrecognised fields, as in-toto requires', () => {
    const s = statementFromJSON({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) }, uri: 'u' }],
      predicateType: 'p',
      future: true,
    });
    expect(s).toEqual({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'p' });
  });

  it('refuses malformed statements with the field named', () => {
    const base = JSON.parse(text) as Record<string, unknown>;
    expect(refusal(() => statementFromJSON({ ...base, _type: 'https://in-toto.io/Statement/v2' }))).toEqual({ code: 'INVALID_FIELD', field: '_type' });
    expect(refusal(() => statementFromJSON({ ...base, subject: [] }))).toEqual({ code: 'INVALID_FIELD', field: 'subject' });
    expect(refusal(() => statementFromJSON({ ...base, subject: [{ digest: {} }] }))).toEqual({ code: 'INVALID_FIELD', field: 'subject[0].digest' });
    expect(refusal(() => statementFromJSON({ ...base, subject: [{ digest: { sha256: 'abc' } }] }))).toEqual({ code: 'INVALID_FIELD', field: 'subject[0].digest.sha256' });
    expect(refusal(() => statementFromJSON({ ...base, predicate: [] }))).toEqual({ code: 'INVALID_FIELD', field: 'predicate' });
    expect(refusal(() => statementFromJSON({ ...base, predicateType: undefined }))).toEqual({ code: 'MISSING_FIELD', field: 'predicateType' });
  });
});
