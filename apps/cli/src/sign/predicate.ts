// cosign's predicate types (--type) and the in-toto statement attest-blob signs.
import path from 'node:path';
import { IN_TOTO_STATEMENT_V1_TYPE } from '@sigstack/bundle';
import { usage } from '../errors.js';

export const PREDICATE_TYPES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** A --type value: one of cosign's names, or a URI. */
export function predicateTypeUri(type: string): string {
  const known = PREDICATE_TYPES[type];
  if (known !== undefined) return known;
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(type)) return type;
  throw usage(`invalid predicate type: ${type} (one of ${Object.keys(PREDICATE_TYPES).join(', ')}, or a URI)`);
}

/** The predicate: JSON as given; a custom predicate that is not JSON is wrapped as cosign wraps it. */
export function predicateValue(typeName: string, text: string, now: Date): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // not JSON
  }
  if (typeName === 'custom') return { Data: text, Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  throw usage(`the --predicate file is not a JSON object, as a ${typeName} predicate must be`);
}

export function statementFor(subjectName: string, sha256Hex: string, predicateType: string, predicate: unknown): Uint8Array {
  const statement = {
    _type: IN_TOTO_STATEMENT_V1_TYPE,
    subject: [{ name: path.basename(subjectName), digest: { sha256: sha256Hex } }],
    predicateType,
    predicate,
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}
