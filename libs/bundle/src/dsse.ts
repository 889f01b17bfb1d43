import { validateEnvelope } from './bundle-validate.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { Fields, parseJsonText, type JsonObject } from './json.js';
import type { DsseEnvelope, DsseSignature } from './types.js';

/** Parses a standalone DSSE envelope (JSON text or UTF-8 bytes, attacker-controlled). */
export function parseEnvelope(input: string | Uint8Array): DsseEnvelope {
  return envelopeFromJSON(parseJsonText(input));
}

/** Strictly validates a DSSE envelope JSON value: one or more signatures, no unknown fields. */
export function envelopeFromJSON(value: unknown): DsseEnvelope {
  validateEnvelope(Fields.of(value, ''));
  return envelopeFromValidatedJson(value as JsonObject);
}

/** Builds the typed envelope from JSON that validateEnvelope accepted. */
export function envelopeFromValidatedJson(json: JsonObject): DsseEnvelope {
  const sigs = json['signatures'] as JsonObject[];
  return {
    payload: decodeBase64(json['payload'] as string, 'payload'),
    payloadType: json['payloadType'] as string,
    signatures: sigs.map((s): DsseSignature => {
      const sig: DsseSignature = { sig: decodeBase64(s['sig'] as string, 'sig') };
      if (typeof s['keyid'] === 'string') sig.keyid = s['keyid'];
      return sig;
    }),
  };
}

export function envelopeToJSON(env: DsseEnvelope): JsonObject {
  return {
    payload: encodeBase64(env.payload),
    payloadType: env.payloadType,
    signatures: env.signatures.map((s) => {
      const json: JsonObject = { sig: encodeBase64(s.sig) };
      if (s.keyid !== undefined) json['keyid'] = s.keyid;
      return json;
    }),
  };
}

export function serializeEnvelope(env: DsseEnvelope): string {
  return JSON.stringify(envelopeToJSON(env));
}

const encoder = new TextEncoder();

/**
 * DSSE pre-authentication encoding, the bytes that are actually signed:
 * "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload, lengths in bytes
 * as ASCII decimal.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} `);
  const mid = encoder.encode(` ${payload.length} `);
  const out = new Uint8Array(head.length + type.length + mid.length + payload.length);
  out.set(head, 0);
  out.set(type, head.length);
  out.set(mid, head.length + type.length);
  out.set(payload, head.length + type.length + mid.length);
  return out;
}
