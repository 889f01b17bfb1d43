import { TrustedRoot as PbTrustedRoot } from '@sigstore/protobuf-specs';
import { bundleFromJSON as officialBundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';
import { BundleError, parseBundle } from '@sigstack/bundle';
import { CryptoError, importPublicKey } from '@sigstack/crypto';
import { conformanceCase, publicGoodTrustedRootText, type ConformanceCase } from '@sigstack/testing';
import { parseTrustedRoot, TrustError } from '@sigstack/trust';
import { VerificationError, verifyBundle, type VerificationResult, type VerifyOptions } from '../src/index.js';

/** What our verifier made of a case: success, or the error class and code. */
export type Outcome = 'ok' | `${'verify' | 'bundle' | 'trust' | 'key'}:${string}`;

export function rootTextOf(c: ConformanceCase): string {
  return c.trustedRootText ?? publicGoodTrustedRootText();
}

export function optionsFor(c: ConformanceCase, overrides: Partial<VerifyOptions> = {}): Omit<VerifyOptions, 'trustedRoot'> {
  return {
    policy: c.publicKeyPem !== undefined ? { publicKey: importPublicKey(c.publicKeyPem) } : { identity: { subjectAlternativeName: c.identity, issuer: c.issuer } },
    artifact: { data: c.artifact },
    ...overrides,
  };
}

export function runOurs(name: string, overrides: Partial<VerifyOptions> = {}): { outcome: Outcome; result?: VerificationResult; error?: unknown } {
  const c = conformanceCase(name);
  try {
    const trustedRoot = parseTrustedRoot(rootTextOf(c));
    const bundle = parseBundle(c.bundleText);
    const result = verifyBundle(bundle, { trustedRoot, ...optionsFor(c, overrides) });
    return { outcome: 'ok', result };
  } catch (error) {
    if (error instanceof VerificationError) return { outcome: `verify:${error.code}`, error };
    if (error instanceof BundleError) return { outcome: `bundle:${error.code}`, error };
    if (error instanceof TrustError) return { outcome: `trust:${error.code}`, error };
    if (error instanceof CryptoError) return { outcome: `key:${error.code}`, error };
    throw error;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The official sigstore-js verifier (@sigstore/verify 3.1.1), built as `sigstore.verify` builds it. */
export function runOfficial(name: string): { ok: boolean; error?: unknown } {
  const c = conformanceCase(name);
  try {
    const root = PbTrustedRoot.fromJSON(JSON.parse(rootTextOf(c)));
    const pem = c.publicKeyPem;
    const keys =
      pem === undefined
        ? undefined
        : () => ({ publicKey: createPublicKey(pem), validFor: () => true });
    const verifier = new Verifier(toTrustMaterial(root, keys));
    const entity = toSignedEntity(officialBundleFromJSON(JSON.parse(c.bundleText)), c.artifact);
    const policy = pem === undefined ? { subjectAlternativeName: `^${escapeRegExp(c.identity)}$`, extensions: { issuer: c.issuer } } : {};
    verifier.verify(entity, policy);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}
