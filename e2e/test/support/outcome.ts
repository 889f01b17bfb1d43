// What a client command's outcome must look like: the exit code AND what it printed.
import { expect } from 'vitest';
import type { CommandResult } from './stack.js';

const shown = (r: CommandResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** Exit 0 and `Verified OK` as the only line on stderr. */
export function expectVerified(result: CommandResult): void {
  expect(result.code, shown(result)).toBe(0);
  expect(result.stderr).toBe('Verified OK\n');
}

/** A signing command's success: exit 0 and only `Wrote bundle to file FILE` on stderr. */
export function expectBundleWritten(result: CommandResult, file: string): void {
  expect(result.code, shown(result)).toBe(0);
  expect(result.stderr).toBe(`Wrote bundle to file ${file}\n`);
}

/**
 * Refused with exactly one readable line on stderr, `Error: <CODE>: ...`, and no stack
 * trace; `detail` pins the part of the message that names the reason.
 */
export function expectRejected(result: CommandResult, code: string, detail?: RegExp, exitCode = 1): void {
  expect(result.code, shown(result)).toBe(exitCode);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, shown(result)).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^Error: ${code}: `));
  if (detail) expect(lines[0]).toMatch(detail);
}

/** Refused with exactly one `Error: ...` line on stderr and the given exit code. */
export function expectOneLineError(result: CommandResult, exitCode: number, message: RegExp): void {
  expect(result.code, shown(result)).toBe(exitCode);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, shown(result)).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(message);
}
