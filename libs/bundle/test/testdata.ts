import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the nearest ancestor holding nx.json. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** shared/testdata sits beside the checkout (CI clones into a sibling folder). */
export const TESTDATA = path.resolve(repoRoot(), '../shared/testdata');
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
