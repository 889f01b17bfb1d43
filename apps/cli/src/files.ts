// File access for commands: paths relative to the caller's cwd, failures as one INPUT line.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CliIo } from './io.js';
import { CliError } from './errors.js';

export const resolvePath = (io: CliIo, file: string): string => path.resolve(io.cwd, file);

export function readInput(io: CliIo, file: string, what: string): Buffer {
  try {
    return readFileSync(resolvePath(io, file));
  } catch (cause) {
    throw new CliError('INPUT', `cannot read ${what} ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}

export const readText = (io: CliIo, file: string, what: string): string => readInput(io, file, what).toString('utf8');

export function writeOutput(io: CliIo, file: string, data: string | Uint8Array, what: string, mode?: number): void {
  try {
    writeFileSync(resolvePath(io, file), data, mode === undefined ? undefined : { mode });
  } catch (cause) {
    throw new CliError('INPUT', `cannot write ${what} ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}
