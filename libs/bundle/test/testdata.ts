import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedTestdata } from '@sigstack/testing';

export const TESTDATA = sharedTestdata();
export const CONFORMANCE = path.join(TESTDATA, 'conformance');
export const BUNDLE_VERIFY = path.join(CONFORMANCE, 'bundle-verify');

export function conformanceCases(): string[] {
  return readdirSync(BUNDLE_VERIFY, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function readBundleText(name: string): string {
  return readFileSync(path.join(BUNDLE_VERIFY, name, 'bundle.sigstore.json'), 'utf8');
}

export function readArtifact(name: string): Buffer {
  const own = path.join(BUNDLE_VERIFY, name, 'artifact');
  return readFileSync(existsSync(own) ? own : path.join(CONFORMANCE, 'a.txt'));
}
