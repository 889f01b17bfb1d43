import { X509Certificate, createHash } from 'node:crypto';
import { HashAlgorithm, PublicKeyDetails, ServiceSelector } from '@sigstore/protobuf-specs';
import { decodePemBundle, exportPublicKey, importPublicKey, keyId } from '@sigstack/crypto';
import type { PublicKey } from '@sigstack/crypto';
import { ecdsaNoteVerifier, ed25519NoteVerifier, verifyNote } from '@sigstack/merkle';
import { SIGNING_CONFIG_MEDIA_TYPE_V02, TRUSTED_ROOT_MEDIA_TYPE_V02 } from '@sigstack/trust';
import type { CertificateAuthority, Service, SigningConfig, TransparencyLogInstance, TrustedRoot } from '@sigstack/trust';
import { ScaffoldingError } from './error.js';

/** The part of WHATWG fetch used here; injected so tests (and air-gapped setups) need no network. */
export type FetchLike = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

/**
 * Where each service's trust material comes from: its own API (a URL), or a file's text
 * (a PEM key or chain) when the service cannot say (CT logs) or is not running yet.
 */
export interface DeploymentSpec {
  readonly fulcio?: { readonly url: string; readonly chainPem?: string };
  readonly rekor?: readonly { readonly url: string; readonly publicKeyPem?: string }[];
  /** Rekor v2 (tiles) logs: Ed25519 or ECDSA key, and the checkpoint origin (read from `<url>/api/v2/checkpoint`, where Rekor serves it, if absent). */
  readonly rekorV2?: readonly { readonly url: string; readonly publicKeyPem: string; readonly origin?: string }[];
  readonly ctlogs?: readonly { readonly url: string; readonly publicKeyPem: string }[];
  /** The TSA's base URL (the service answers at `<url>/api/v1/timestamp`). */
  readonly tsa?: readonly { readonly url: string; readonly chainPem?: string }[];
  readonly oidc?: readonly { readonly url: string }[];
  readonly operator?: string;
  /** Start of the validity windows of newly trusted keys and services; now if unset. */
  readonly validFrom?: Date;
}

export interface GatherOptions {
  readonly fetch?: FetchLike;
  readonly now: Date;
  /** Per-request timeout in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
}

export interface TrustMaterial {
  readonly trustedRoot: TrustedRoot;
  readonly signingConfig: SigningConfig;
}

const trimUrl = (url: string) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ScaffoldingError('INVALID_ARGUMENT', `bad URL ${url}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ScaffoldingError('INVALID_ARGUMENT', `not an http(s) URL: ${url}`);
  return url.replace(/\/+$/, '');
};

/**
 * Gathers the trust material of a deployment from its services (Fulcio's trust bundle,
 * Rekor's public key, the TSA's chain, a Rekor v2 checkpoint's origin) or from given PEM
 * text, and builds trusted_root.json and signing_config.v0.2.json from it. Everything a
 * service answers is untrusted input: parsed strictly, keys imported canonically.
 */
export async function gatherTrustMaterial(spec: DeploymentSpec, options: GatherOptions): Promise<TrustMaterial> {
  const get = async (url: string, what: string): Promise<string> => {
    const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    try {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    } catch (cause) {
      throw new ScaffoldingError('GATHER_FAILED', `${what} from ${url}: ${(cause as Error).message}`, { cause });
    }
  };
  const start = spec.validFrom ?? options.now;
  const operator = spec.operator ?? '';
  const tlogs: TransparencyLogInstance[] = [];
  const ctlogs: TransparencyLogInstance[] = [];
  const certificateAuthorities: CertificateAuthority[] = [];
  const timestampAuthorities: CertificateAuthority[] = [];
  const service = (url: string, majorApiVersion: number): Service => ({ url, majorApiVersion, validFor: { start }, operator });

  const caUrls: Service[] = [];
  if (spec.fulcio) {
    const url = trimUrl(spec.fulcio.url);
    const chains = spec.fulcio.chainPem !== undefined ? [spec.fulcio.chainPem] : parseTrustBundle(await get(`${url}/api/v2/trustBundle`, 'Fulcio trust bundle'));
    for (const pem of chains) certificateAuthorities.push(authority(url, pem, operator, 'Fulcio chain'));
    caUrls.push(service(url, 1));
  }
  const rekorTlogUrls: Service[] = [];
  for (const rekor of spec.rekor ?? []) {
    const url = trimUrl(rekor.url);
    const pem = rekor.publicKeyPem ?? (await get(`${url}/api/v1/log/publicKey`, 'Rekor public key'));
    const key = importKey(pem, `Rekor key of ${url}`);
    tlogs.push(logInstance(url, key, keyId(key), undefined, start, operator));
    rekorTlogUrls.push(service(url, 1));
  }
  for (const rekor of spec.rekorV2 ?? []) {
    const url = trimUrl(rekor.url);
    const key = importKey(rekor.publicKeyPem, `Rekor v2 key of ${url}`);
    let origin = rekor.origin;
    if (origin === undefined) {
      const checkpoint = await get(`${url}/api/v2/checkpoint`, 'Rekor v2 checkpoint');
      origin = checkpoint.split('\n', 1)[0] ?? '';
      checkCheckpoint(checkpoint, origin, key, url);
    }
    const id = noteKeyId(origin, key);
    tlogs.push(logInstance(url, key, id, id, start, operator));
    rekorTlogUrls.push(service(url, 2));
  }
  for (const ct of spec.ctlogs ?? []) {
    const url = trimUrl(ct.url);
    const key = importKey(ct.publicKeyPem, `CT log key of ${url}`);
    ctlogs.push(logInstance(url, key, keyId(key), undefined, start, operator));
  }
  const tsaUrls: Service[] = [];
  for (const tsa of spec.tsa ?? []) {
    const url = trimUrl(tsa.url);
    const pem = tsa.chainPem ?? (await get(`${url}/api/v1/timestamp/certchain`, 'TSA certificate chain'));
    timestampAuthorities.push(authority(url, pem, operator, 'TSA chain'));
    tsaUrls.push(service(`${url}/api/v1/timestamp`, 1));
  }
  const oidcUrls = (spec.oidc ?? []).map((o) => service(trimUrl(o.url), 1));

  return {
    trustedRoot: { mediaType: TRUSTED_ROOT_MEDIA_TYPE_V02, tlogs, certificateAuthorities, ctlogs, timestampAuthorities },
    signingConfig: {
      mediaType: SIGNING_CONFIG_MEDIA_TYPE_V02,
      caUrls,
      oidcUrls,
      rekorTlogUrls,
      tsaUrls,
      rekorTlogConfig: { selector: ServiceSelector.ANY, count: 0 },
      tsaConfig: { selector: ServiceSelector.ANY, count: 0 },
    },
  };
}

/** Fulcio's GET /api/v2/trustBundle: {"chains":[{"certificates":["PEM", ...]}]}. */
function parseTrustBundle(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ScaffoldingError('GATHER_FAILED', 'Fulcio trust bundle is not JSON', { cause });
  }
  const chains = (value as { chains?: unknown })?.chains;
  if (!Array.isArray(chains) || chains.length === 0) throw new ScaffoldingError('GATHER_FAILED', 'Fulcio trust bundle has no chains');
  return chains.map((chain, i) => {
    const certs = (chain as { certificates?: unknown })?.certificates;
    if (!Array.isArray(certs) || certs.length === 0 || !certs.every((c) => typeof c === 'string')) {
      throw new ScaffoldingError('GATHER_FAILED', `Fulcio trust bundle chain ${i} has no certificates`);
    }
    return certs.join('\n');
  });
}

function importKey(pem: string, what: string): PublicKey {
  try {
    return importPublicKey(pem);
  } catch (cause) {
    throw new ScaffoldingError('GATHER_FAILED', `${what} is not a usable public key: ${(cause as Error).message}`, { cause });
  }
}

function keyDetails(key: PublicKey): PublicKeyDetails {
  switch (key.type) {
    case 'ecdsa-p256':
      return PublicKeyDetails.PKIX_ECDSA_P256_SHA_256;
    case 'ecdsa-p384':
      return PublicKeyDetails.PKIX_ECDSA_P384_SHA_384;
    case 'ed25519':
      return PublicKeyDetails.PKIX_ED25519;
    case 'rsa':
      if (key.bits === 2048) return PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256;
      if (key.bits === 3072) return PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256;
      if (key.bits === 4096) return PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256;
  }
  throw new ScaffoldingError('GATHER_FAILED', `no Sigstore key details for a ${key.type} key of ${key.bits} bits`);
}

const ED25519_SPKI_PREFIX_LENGTH = 12;

/**
 * The C2SP signed-note key id of a checkpoint-signing key: SHA-256(origin || 0x0A || 0x01
 * || raw key) for Ed25519, as the public log2025-1 entry has it (its logId); SHA-256 of the
 * SPKI for ECDSA (Rekor v1 style).
 */
export function noteKeyId(origin: string, key: PublicKey): Uint8Array {
  const spki = exportPublicKey(key, 'der');
  if (key.type !== 'ed25519') return keyId(key);
  if (origin === '' || /[\s+]/.test(origin)) throw new ScaffoldingError('INVALID_ARGUMENT', `bad checkpoint origin ${JSON.stringify(origin)}`);
  return new Uint8Array(
    createHash('sha256')
      .update(Buffer.from(origin, 'utf8'))
      .update(Buffer.from([0x0a, 0x01]))
      .update(spki.subarray(ED25519_SPKI_PREFIX_LENGTH))
      .digest(),
  );
}

// The origin read from a checkpoint is only trusted once the configured key verifies it.
function checkCheckpoint(checkpoint: string, origin: string, key: PublicKey, url: string): void {
  const spki = exportPublicKey(key, 'der');
  try {
    const verifier = key.type === 'ed25519' ? ed25519NoteVerifier(origin, spki.subarray(ED25519_SPKI_PREFIX_LENGTH)) : ecdsaNoteVerifier(origin, spki);
    verifyNote(checkpoint, [verifier]);
  } catch (cause) {
    throw new ScaffoldingError('GATHER_FAILED', `the checkpoint of ${url} is not signed by the given key for origin ${origin}`, { cause });
  }
}

function logInstance(
  baseUrl: string,
  key: PublicKey,
  logId: Uint8Array,
  checkpointKeyId: Uint8Array | undefined,
  start: Date,
  operator: string,
): TransparencyLogInstance {
  return {
    baseUrl,
    hashAlgorithm: HashAlgorithm.SHA2_256,
    publicKey: { rawBytes: Buffer.from(exportPublicKey(key, 'der')), keyDetails: keyDetails(key), validFor: { start } },
    logId: { keyId: Buffer.from(logId) },
    checkpointKeyId: checkpointKeyId === undefined ? undefined : { keyId: Buffer.from(checkpointKeyId) },
    operator,
  };
}

/** A CA or TSA from a PEM chain (leaf-most first, root last); valid from the first certificate's notBefore. */
function authority(uri: string, pem: string, operator: string, what: string): CertificateAuthority {
  let certs: X509Certificate[];
  try {
    const blocks = decodePemBundle(pem);
    if (blocks.length === 0 || blocks.some((b) => b.label !== 'CERTIFICATE')) throw new Error('expected CERTIFICATE blocks only');
    certs = blocks.map((b) => new X509Certificate(b.der));
  } catch (cause) {
    throw new ScaffoldingError('GATHER_FAILED', `${what} of ${uri} does not parse: ${(cause as Error).message}`, { cause });
  }
  const root = certs[certs.length - 1] as X509Certificate;
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(root.subject)?.[1] ?? '';
  return {
    subject: { organization: field('O'), commonName: field('CN') },
    uri,
    certChain: { certificates: certs.map((c) => ({ rawBytes: Buffer.from(c.raw) })) },
    validFor: { start: new Date(Math.max(...certs.map((c) => new Date(c.validFrom).getTime()))) },
    operator,
  };
}
