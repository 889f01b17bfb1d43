#!/usr/bin/env node
// The `sigstack` command: runs the built client (npm ci builds it through the root `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('sigstack: the client is not built; run `npm run build` (or `npm ci`) in the repository first');
  process.exit(70);
}
await import(main.href);
