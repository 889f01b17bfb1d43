#!/usr/bin/env node
// The sigstack-tuf command: a thin layer over the library (see cli-run.ts and docs/trust-root.md).
import { runCli } from './cli-run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stdin: process.stdin,
});
process.exitCode = code;
