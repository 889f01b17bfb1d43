import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportPrivateKey, generateKeyPair, importPrivateKey, type KeyType, type PrivateKey } from '@sigstack/crypto';

export type LogKeyType = Extract<KeyType, 'ecdsa-p256' | 'ed25519'>;

export interface KeySource {
  /** PEM file to read; when it does not exist and `generate` is set, a new key is written there. */
  readonly file: string;
  readonly type: LogKeyType;
  readonly generate: boolean;
}

/** Reads a log key, or (dev) generates one on first start, written with mode 0600. */
export async function loadLogKey(source: KeySource): Promise<PrivateKey> {
  let pem: string | undefined;
  try {
    pem = await readFile(source.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !source.generate) {
      throw new Error(`cannot read the log key ${source.file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: err });
    }
  }
  if (pem !== undefined) return checkType(importPrivateKey(pem), source.file);
  const { privateKey } = await generateKeyPair(source.type);
  await mkdir(dirname(source.file), { recursive: true });
  // 'wx': two replicas starting together must not overwrite each other's fresh key.
  try {
    await writeFile(source.file, exportPrivateKey(privateKey, 'pem'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadLogKey({ ...source, generate: false });
    throw err;
  }
  return privateKey;
}

function checkType(key: PrivateKey, file: string): PrivateKey {
  if (key.type !== 'ecdsa-p256' && key.type !== 'ed25519') {
    throw new Error(`the log key ${file} is ${key.type}; a log key is ECDSA P-256 or Ed25519`);
  }
  return key;
}
