import { readdirSync } from 'node:fs';
import { sharedTestdata } from '@sigstack/testing';

export const testdataDir = sharedTestdata();

/** Every *.json file under `dir`, as paths relative to it, sorted. */
export function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
}
