import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sharedTestdata } from '@sigstack/testing';

export const testdataDir = sharedTestdata();
export const publicTargetsDir = path.join(testdataDir, 'public-good-tuf/targets');
export const bundleVerifyDir = path.join(testdataDir, 'conformance/bundle-verify');

export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

export function readJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(path.join(...parts), 'utf8')) as T;
}

export const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

interface TrustedRootJson {
  certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] }; validFor: { start: string; end?: string } }[];
  ctlogs: { publicKey: { rawBytes: string }; logId: { keyId: string } }[];
}

export function trustedRoot(caseName?: string): TrustedRootJson {
  const file = caseName && existsSync(path.join(bundleVerifyDir, caseName, 'trusted_root.json'))
    ? path.join(bundleVerifyDir, caseName, 'trusted_root.json')
    : path.join(publicTargetsDir, 'trusted_root.json');
  return readJson<TrustedRootJson>(file);
}

/** The leaf certificate of a conformance bundle (v0.3 `certificate` or v0.1/0.2 chain), if it has one. */
export function bundleLeaf(caseName: string): Uint8Array | undefined {
  const bundle = readJson<{ verificationMaterial: { certificate?: { rawBytes: string }; x509CertificateChain?: { certificates: { rawBytes: string }[] } } }>(
    bundleVerifyDir,
    caseName,
    'bundle.sigstore.json',
  );
  const vm = bundle.verificationMaterial;
  const raw = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates[0]?.rawBytes;
  return raw === undefined ? undefined : b64(raw);
}

export function caseText(caseName: string, file: string, fallback: string): string {
  const p = path.join(bundleVerifyDir, caseName, file);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : fallback;
}

/** Runs /usr/bin/openssl (a missing binary fails the test, never skips it). */
export function openssl(args: string[], input?: Uint8Array | string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigstack-x509-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
