import { existsSync } from 'node:fs';
import type { Artifact } from '@sigstack/verify';
import { readInput, resolvePath } from '../files.js';
import type { CliIo } from '../io.js';

/**
 * The artifact argument: a file, or `sha256:<64 hex>` when that is not a path on disk
 * (the conformance protocol's rule, which verify-blob follows too).
 */
export function artifactArgument(io: CliIo, arg: string): Artifact {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(arg);
  if (m && !existsSync(resolvePath(io, arg))) return { digest: Buffer.from(m[1] as string, 'hex'), algorithm: 'sha256' };
  return { data: readInput(io, arg, 'artifact') };
}
