import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sharedTestdata } from '@sigstack/testing';

export const testdataDir = sharedTestdata();
export const publicTargetsDir = path.join(testdataDir, 'public-good-tuf/targets');
export const bundleVerifyDir = path.join(testdataDir, 'conformance/bundle-verify');

export function readText(...parts: string[]): string {
  return readFileSync(path.join(...parts), 'utf8');
}

export function readJson(...parts: string[]): unknown {
  return JSON.parse(readText(...parts)) as unknown;
}

/** Conformance case folders that carry their own trusted_root.json. */
export function casesWithTrustedRoot(): string[] {
  return readdirSync(bundleVerifyDir)
    .filter((name) => existsSync(path.join(bundleVerifyDir, name, 'trusted_root.json')))
    .sort();
}

export interface TlogEntryJson {
  logId: { keyId: string };
  integratedTime?: string;
  inclusionProof?: { checkpoint?: { envelope?: string } };
}

export function bundleTlogEntries(caseName: string): TlogEntryJson[] {
  const bundle = readJson(bundleVerifyDir, caseName, 'bundle.sigstore.json') as {
    verificationMaterial: { tlogEntries?: TlogEntryJson[] };
  };
  return bundle.verificationMaterial.tlogEntries ?? [];
}

/** The signature lines of a checkpoint note: key name and the 4-byte key hint. */
export function checkpointSignatures(envelope: string): { name: string; hint: Buffer }[] {
  const [, signatures = ''] = envelope.split('\n\n');
  return signatures
    .split('\n')
    .filter((line) => line.startsWith('\u2014 '))
    .map((line) => {
      const [, name = '', sig = ''] = line.split(' ');
      return { name, hint: Buffer.from(sig, 'base64').subarray(0, 4) };
    });
}
