import { BundleError } from '../error.js';
import { decodeBase64, encodeBase64, encodeHex } from '../encoding.js';
import { Fields } from '../json.js';
import type { DsseEnvelope } from '../types.js';
import { canonicalJsonBytes, checkDigestLength, digestOf } from './common.js';

export interface IntotoV002Signature {
  /** The raw signature bytes (Rekor stores base64 of the envelope's base64 text). */
  sig: Buffer;
  keyid?: string;
  /** PEM text (bytes) of the verifying key or certificate. */
  publicKey: Buffer;
}

/** A Rekor v1 intoto 0.0.2 entry, with the double base64 of payload and sig undone. */
export interface IntotoV002 {
  kind: 'intoto';
  apiVersion: '0.0.2';
  payloadType: string;
  /** The envelope payload, when the body carries it. */
  payload: Buffer | undefined;
  signatures: IntotoV002Signature[];
  /** sha256 of the envelope JSON as submitted. */
  hash: Buffer;
  /** sha256 of the decoded payload. */
  payloadHash: Buffer;
}

// Rekor's intoto 0.0.2 stores the envelope's base64 strings base64-encoded a
// second time; undo both layers, each strictly.
function doubleBase64(f: Fields, key: string): Buffer {
  const outer = f.base64(key);
  return decodeBase64(outer.toString('latin1'), f.at(key));
}

function readSha256(f: Fields, key: string): Buffer {
  const h = f.object(key).only(['algorithm', 'value']);
  h.oneOf('algorithm', ['sha256'] as const);
  return checkDigestLength('sha256', h.hex('value'), h.at('value'));
}

export function readIntotoV002(f: Fields): IntotoV002 {
  f.only(['apiVersion', 'kind', 'spec']);
  const content = f.object('spec').only(['content']).object('content').only(['envelope', 'hash', 'payloadHash']);
  const env = content.object('envelope').only(['payload', 'payloadType', 'signatures']);
  const payload = env.has('payload') ? doubleBase64(env, 'payload') : undefined;
  if (payload?.length === 0) throw new BundleError('INVALID_FIELD', env.at('payload'), 'must not be empty');
  return {
    kind: 'intoto',
    apiVersion: '0.0.2',
    payloadType: env.string('payloadType', { nonEmpty: true }),
    payload,
    signatures: env.array('signatures', { min: 1 }).map((s) => {
      const sf = Fields.of(s.value, s.path).only(['keyid', 'sig', 'publicKey']);
      const sig: IntotoV002Signature = { sig: doubleBase64(sf, 'sig'), publicKey: sf.base64('publicKey') };
      const keyid = sf.optionalString('keyid');
      if (keyid !== undefined) sig.keyid = keyid;
      return sig;
    }),
    hash: readSha256(content, 'hash'),
    payloadHash: readSha256(content, 'payloadHash'),
  };
}

/** Canonical stored body of an intoto 0.0.2 entry; `publicKeys[i]` verified `envelope.signatures[i]`. */
export function buildIntotoV002(input: {
  /** The envelope JSON exactly as submitted; its hash is recorded. */
  envelopeJson: string;
  envelope: DsseEnvelope;
  publicKeys: (string | Uint8Array)[];
}): Uint8Array {
  const { envelope } = input;
  if (input.publicKeys.length !== envelope.signatures.length) {
    throw new RangeError('one public key per envelope signature is required');
  }
  const twice = (b: Uint8Array): string => encodeBase64(Buffer.from(encodeBase64(b), 'latin1'));
  return canonicalJsonBytes({
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: {
          payload: twice(envelope.payload),
          payloadType: envelope.payloadType,
          signatures: envelope.signatures.map((s, i) => {
            const key = input.publicKeys[i] ?? '';
            return {
              ...(s.keyid !== undefined && s.keyid !== '' ? { keyid: s.keyid } : {}),
              sig: twice(s.sig),
              publicKey: encodeBase64(typeof key === 'string' ? Buffer.from(key, 'utf8') : key),
            };
          }),
        },
        hash: { algorithm: 'sha256', value: encodeHex(digestOf('sha256', Buffer.from(input.envelopeJson, 'utf8'))) },
        payloadHash: { algorithm: 'sha256', value: encodeHex(digestOf('sha256', envelope.payload)) },
      },
    },
  });
}
