import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The repo root is the nearest folder with nx.json; shared test data sits
// beside the repo (CI clones it into another sibling folder).
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no nx.json above the test folder');
    dir = parent;
  }
}

export const testdataDir = path.resolve(findRepoRoot(), '../shared/testdata');

/** Every *.json file under `dir`, as paths relative to it, sorted. */
export function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
}
