// Rekor's log keys in the state folder, with their history. The current key of each log
// signs; earlier ones are kept with the time they stopped signing, because Rekor signs the
// SET of an older v1 entry with the key it was logged under (REKOR_RETIRED_KEYS), and the
// trusted root keeps every key with its window.
//
//   rekor/log-keys.json   {"format": 1, "v1": [{"file", "until"?}, ...], "v2": [...]}
//                         oldest first; the last entry of each list is current (no "until")
//   rekor/rekor-v1-key.pem, rekor-v2-key.pem            the first keys (and their .pub)
//   rekor/rekor-v1-key.N.pem, rekor-v2-key.N.pem        keys made by rotations
//
// A state folder from before rotations has no log-keys.json: its keys are the first ones.
// The file is the commit point of a rotation: a crash before it is written leaves an unused
// key file behind and nothing else changed.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPrivateKey, exportPublicKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import type { KeyType } from '@sigstack/crypto';
import { StackError } from './errors.js';
import type { OpenedState } from './state.js';
import { writeAtomic } from './state.js';

export type RekorLog = 'v1' | 'v2';

export interface LogKeyEntry {
  /** The private key file, relative to the rekor/ folder. */
  readonly file: string;
  /** When it stopped signing; absent for the current key. */
  readonly until?: string;
}

export interface RekorKeyRing {
  readonly v1: readonly LogKeyEntry[];
  readonly v2: readonly LogKeyEntry[];
}

const FORMAT = 1;
const KEY_TYPES: Record<RekorLog, KeyType> = { v1: 'ecdsa-p256', v2: 'ed25519' };
export const FIRST_KEY_FILES: Record<RekorLog, string> = { v1: 'rekor-v1-key.pem', v2: 'rekor-v2-key.pem' };

const ringFile = (state: OpenedState) => path.join(state.layout.rekor, 'log-keys.json');

function bad(state: OpenedState, why: string): StackError {
  return new StackError('BAD_STATE', `${ringFile(state)} ${why}; restore it from a backup, or delete ${state.layout.dir} to start over`);
}

/** The key history; the first keys only when no rotation happened yet. */
export async function readKeyRing(state: OpenedState): Promise<RekorKeyRing> {
  const file = ringFile(state);
  if (!existsSync(file)) return { v1: [{ file: FIRST_KEY_FILES.v1 }], v2: [{ file: FIRST_KEY_FILES.v2 }] };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw bad(state, `is damaged (${(cause as Error).message})`);
  }
  const ring = value as { format?: unknown; v1?: unknown; v2?: unknown };
  if (ring.format !== FORMAT) throw bad(state, 'is not in a format this launcher knows');
  const list = (log: RekorLog): LogKeyEntry[] => {
    const items = ring[log];
    if (!Array.isArray(items) || items.length === 0) throw bad(state, `has no ${log} keys`);
    let previous = -Infinity;
    return items.map((item: unknown, i) => {
      const { file: name, until } = (item ?? {}) as { file?: unknown; until?: unknown };
      const last = i === items.length - 1;
      if (typeof name !== 'string' || name === '' || name !== path.basename(name)) throw bad(state, `names a ${log} key file badly (${JSON.stringify(name)})`);
      if (last !== (until === undefined)) throw bad(state, `must give every ${log} key but the last one an "until" time`);
      if (until !== undefined) {
        const t = typeof until === 'string' ? Date.parse(until) : NaN;
        if (Number.isNaN(t) || t <= previous) throw bad(state, `has a bad or out-of-order ${log} "until" time (${JSON.stringify(until)})`);
        previous = t;
      }
      return until === undefined ? { file: name } : { file: name, until: until as string };
    });
  };
  return { v1: list('v1'), v2: list('v2') };
}

/** The absolute path of a log's current key. */
export function currentKeyFile(state: OpenedState, ring: RekorKeyRing, log: RekorLog): string {
  return path.join(state.layout.rekor, (ring[log].at(-1) as LogKeyEntry).file);
}

/** REKOR_RETIRED_KEYS for the v1 log: `FILE@TIME` items, oldest first ('' when none). */
export function retiredKeysSetting(state: OpenedState, ring: RekorKeyRing): string {
  return ring.v1
    .filter((k) => k.until !== undefined)
    .map((k) => `${path.join(state.layout.rekor, k.file)}@${k.until}`)
    .join(',');
}

/** The public key (PEM) of a private key file. */
export async function publicKeyPem(file: string): Promise<string> {
  try {
    return exportPublicKey(importPrivateKey(await readFile(file, 'utf8')).publicKey, 'pem');
  } catch (cause) {
    throw new StackError('BAD_STATE', `${file} is not a usable key (${(cause as Error).message})`, { cause });
  }
}

export interface RotatedKeys {
  readonly at: Date;
  /** Each log's key before and after, as public PEMs. */
  readonly v1: { readonly previous: string; readonly current: string };
  readonly v2: { readonly previous: string; readonly current: string };
}

/**
 * Makes a new key for each Rekor log and records the switch at `at`: the previous keys get
 * `until: at`. Rekor must not be running with the old keys after `at`.
 */
export async function rotateKeyRing(state: OpenedState, at: Date): Promise<RotatedKeys> {
  const ring = await readKeyRing(state);
  for (const log of ['v1', 'v2'] as const) {
    const last = ring[log].at(-2)?.until;
    if (last !== undefined && Date.parse(last) >= at.getTime()) {
      throw new StackError('BAD_STATE', `the ${log} key was last rotated at ${last}, not before now (${at.toISOString()}); is the clock right?`);
    }
  }
  const next: Record<RekorLog, LogKeyEntry[]> = { v1: [...ring.v1], v2: [...ring.v2] };
  const pems = {} as Record<RekorLog, { previous: string; current: string }>;
  for (const log of ['v1', 'v2'] as const) {
    const previousFile = currentKeyFile(state, ring, log);
    const previous = await publicKeyPem(previousFile);
    // The next free name: an interrupted rotation may have left one behind.
    let n = ring[log].length + 1;
    let name = `rekor-${log}-key.${n}.pem`;
    while (existsSync(path.join(state.layout.rekor, name))) name = `rekor-${log}-key.${++n}.pem`;
    const { privateKey, publicKey } = await generateKeyPair(KEY_TYPES[log]);
    const current = exportPublicKey(publicKey, 'pem');
    await writeFile(path.join(state.layout.rekor, name), exportPrivateKey(privateKey, 'pem'), { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(state.layout.rekor, name.replace(/\.pem$/, '.pub')), current);
    next[log] = [...ring[log].slice(0, -1), { file: path.basename(previousFile), until: at.toISOString() }, { file: name }];
    pems[log] = { previous, current };
  }
  await writeAtomic(ringFile(state), `${JSON.stringify({ format: FORMAT, v1: next.v1, v2: next.v2 }, null, 2)}\n`);
  return { at, v1: pems.v1, v2: pems.v2 };
}
