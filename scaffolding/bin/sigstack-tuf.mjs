#!/usr/bin/env node
// The `sigstack-tuf` command: runs the built CLI (npm ci builds it through the root `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('sigstack-tuf: not built; run `npm run build` (or `npm ci`) in the repository first');
  process.exit(70);
}
await import(cli.href);
