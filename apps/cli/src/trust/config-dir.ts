import { homedir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../io.js';

/**
 * Where the client keeps its TUF cache: $XDG_CONFIG_HOME/sigstack when XDG_CONFIG_HOME is
 * set, else ~/.sigstack (HOME from the environment, so tests can use a temporary home).
 */
export function configDir(io: CliIo): string {
  const xdg = io.env['XDG_CONFIG_HOME'];
  if (xdg) return path.join(xdg, 'sigstack');
  return path.join(io.env['HOME'] || homedir(), '.sigstack');
}

/** The TUF cache of one mirror: its own folder, named after the URL. */
export const mirrorCacheDir = (io: CliIo, mirror: string): string => path.join(configDir(io), 'tuf', encodeURIComponent(mirror));

/** The file recording which mirror `initialize` chose. */
export const remoteFile = (io: CliIo): string => path.join(configDir(io), 'tuf', 'remote.json');
