import { encodeTlv, readSingle, contents } from './der.js';
import { X509Error } from './errors.js';
import type { RawExtension } from './parts.js';

/**
 * Fulcio's certificate extensions (sigstore/fulcio docs/oid-info.md). The deprecated
 * 1.3.6.1.4.1.57264.1.1-.6 hold the raw UTF-8 bytes of the value; .8 and later hold a
 * DER UTF8String. The OIDC issuer is written twice, as .1 and .8, as Fulcio does.
 */
export interface SigstoreExtensions {
  /** 1.3.6.1.4.1.57264.1.1 (deprecated, raw): the OIDC issuer. */
  readonly issuerV1?: string;
  /** 1.3.6.1.4.1.57264.1.2 (deprecated, raw). */
  readonly githubWorkflowTrigger?: string;
  /** 1.3.6.1.4.1.57264.1.3 (deprecated, raw). */
  readonly githubWorkflowSha?: string;
  /** 1.3.6.1.4.1.57264.1.4 (deprecated, raw). */
  readonly githubWorkflowName?: string;
  /** 1.3.6.1.4.1.57264.1.5 (deprecated, raw). */
  readonly githubWorkflowRepository?: string;
  /** 1.3.6.1.4.1.57264.1.6 (deprecated, raw). */
  readonly githubWorkflowRef?: string;
  /** 1.3.6.1.4.1.57264.1.8: the OIDC issuer. */
  readonly issuer?: string;
  readonly buildSignerUri?: string;
  readonly buildSignerDigest?: string;
  readonly runnerEnvironment?: string;
  readonly sourceRepositoryUri?: string;
  readonly sourceRepositoryDigest?: string;
  readonly sourceRepositoryRef?: string;
  readonly sourceRepositoryIdentifier?: string;
  readonly sourceRepositoryOwnerUri?: string;
  readonly sourceRepositoryOwnerIdentifier?: string;
  readonly buildConfigUri?: string;
  readonly buildConfigDigest?: string;
  readonly buildTrigger?: string;
  readonly runInvocationUri?: string;
  readonly sourceRepositoryVisibilityAtSigning?: string;
}

export type SigstoreExtensionName = keyof SigstoreExtensions;

const PREFIX = '1.3.6.1.4.1.57264.1.';

/** Field, OID arc, and whether the value is raw bytes (deprecated) or a DER UTF8String. */
const TABLE: readonly (readonly [SigstoreExtensionName, number, 'raw' | 'utf8'])[] = [
  ['issuerV1', 1, 'raw'],
  ['githubWorkflowTrigger', 2, 'raw'],
  ['githubWorkflowSha', 3, 'raw'],
  ['githubWorkflowName', 4, 'raw'],
  ['githubWorkflowRepository', 5, 'raw'],
  ['githubWorkflowRef', 6, 'raw'],
  ['issuer', 8, 'utf8'],
  ['buildSignerUri', 9, 'utf8'],
  ['buildSignerDigest', 10, 'utf8'],
  ['runnerEnvironment', 11, 'utf8'],
  ['sourceRepositoryUri', 12, 'utf8'],
  ['sourceRepositoryDigest', 13, 'utf8'],
  ['sourceRepositoryRef', 14, 'utf8'],
  ['sourceRepositoryIdentifier', 15, 'utf8'],
  ['sourceRepositoryOwnerUri', 16, 'utf8'],
  ['sourceRepositoryOwnerIdentifier', 17, 'utf8'],
  ['buildConfigUri', 18, 'utf8'],
  ['buildConfigDigest', 19, 'utf8'],
  ['buildTrigger', 20, 'utf8'],
  ['runInvocationUri', 21, 'utf8'],
  ['sourceRepositoryVisibilityAtSigning', 22, 'utf8'],
];

/** The OID of each Sigstore extension field. */
export const SIGSTORE_EXTENSION_OIDS: Readonly<Record<SigstoreExtensionName, string>> = Object.freeze(
  Object.fromEntries(TABLE.map(([name, arc]) => [name, PREFIX + arc])) as Record<SigstoreExtensionName, string>,
);

const BY_OID = new Map(TABLE.map(([name, arc, kind]) => [PREFIX + arc, { name, kind }]));
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_STRING = 0x0c;

function decodeUtf8(bytes: Uint8Array, oid: string): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    throw new X509Error('MALFORMED_EXTENSION', `extension ${oid} is not valid UTF-8`, { cause });
  }
}

/** A DER UTF8String's text. */
export function decodeUtf8String(der: Uint8Array, what: string): string {
  const tlv = readSingle(der, UTF8_STRING, 'MALFORMED_EXTENSION');
  return decodeUtf8(contents(der, tlv), what);
}

export function encodeUtf8String(text: string): Uint8Array {
  return encodeTlv(UTF8_STRING, [new TextEncoder().encode(text)]);
}

/** Decodes the Sigstore extensions among a certificate's extensions; others are ignored. */
export function decodeSigstoreExtensions(extensions: readonly Pick<RawExtension, 'oid' | 'value'>[]): SigstoreExtensions {
  const out: Partial<Record<SigstoreExtensionName, string>> = {};
  for (const ext of extensions) {
    const known = BY_OID.get(ext.oid);
    if (!known) continue;
    if (out[known.name] !== undefined) throw new X509Error('MALFORMED_EXTENSION', `extension ${ext.oid} appears twice`);
    out[known.name] = known.kind === 'raw' ? decodeUtf8(ext.value, ext.oid) : decodeUtf8String(ext.value, ext.oid);
  }
  return Object.freeze(out);
}

/** An extension to put into a certificate being issued. */
export interface ExtensionInput {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING's contents. */
  readonly value: Uint8Array;
}

/** What a CA writes into a Sigstore certificate; `issuer` is required and written as both .1 and .8. */
export type SigstoreExtensionValues = Omit<SigstoreExtensions, 'issuerV1' | 'issuer'> & { readonly issuer: string };

/**
 * Encodes the Sigstore extensions for issuance, in OID order, none critical (as Fulcio
 * writes them). Empty values are left out, as Fulcio does; unknown fields are refused.
 */
export function encodeSigstoreExtensions(values: SigstoreExtensionValues): ExtensionInput[] {
  if (typeof values !== 'object' || values === null) throw new X509Error('INVALID_ARGUMENT', 'extension values must be an object');
  for (const key of Object.keys(values)) {
    if (key === 'issuerV1' || !BY_OID.has(SIGSTORE_EXTENSION_OIDS[key as SigstoreExtensionName] ?? '')) {
      throw new X509Error('INVALID_ARGUMENT', `unknown Sigstore extension field ${key}`);
    }
  }
  if (typeof values.issuer !== 'string' || values.issuer === '') throw new X509Error('INVALID_ARGUMENT', 'the OIDC issuer is required');
  const all: Partial<Record<SigstoreExtensionName, unknown>> = { ...values, issuerV1: values.issuer };
  const out: ExtensionInput[] = [];
  for (const [name, arc, kind] of TABLE) {
    const value = all[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !isWellFormed(value)) throw new X509Error('INVALID_ARGUMENT', `${name} must be a well-formed string`);
    const bytes = new TextEncoder().encode(value);
    out.push({ oid: PREFIX + arc, critical: false, value: kind === 'raw' ? bytes : encodeUtf8String(value) });
  }
  return out;
}

// A lone surrogate would be silently replaced by U+FFFD on encoding.
function isWellFormed(text: string): boolean {
  return new TextDecoder().decode(new TextEncoder().encode(text)) === text;
}
