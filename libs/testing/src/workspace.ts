import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file that holds nx.json. */
export function workspaceRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`nx.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/**
 * A path inside the shared external test data. It sits beside the repository
 * (`../shared/testdata`), wherever the repository was cloned: CI clones into a sibling folder.
 */
export function sharedTestdata(...parts: string[]): string {
  return path.resolve(workspaceRoot(), '../shared/testdata', ...parts);
}
