import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportPrivateKey, generateKeyPair, importPrivateKey, type KeyType, type PrivateKey } from '@sigstack/crypto';
import { LogStoreError } from './errors.js';

export interface LogKeySource {
  /** PEM file to read; when it does not exist and `generate` is set, a new key is written there. */
  readonly file: string;
  /** The type a generated key gets. */
  readonly type: KeyType;
  /** The types a key read from the file may have; anything else is refused. */
  readonly accept: readonly KeyType[];
  readonly generate: boolean;
}

/**
 * Reads a log's signing key (Rekor, the CT log), or in development generates one on first
 * start, written with mode 0600 so a restart keeps signing with the same key.
 */
export async function loadLogKey(source: LogKeySource): Promise<PrivateKey> {
  let pem: string | undefined;
  try {
    pem = await readFile(source.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !source.generate) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new LogStoreError('INVALID_CONFIG', `cannot read the log key ${source.file} (${code})`, { cause: err });
    }
  }
  if (pem !== undefined) {
    const key = importPrivateKey(pem);
    if (!source.accept.includes(key.type)) {
      throw new LogStoreError('INVALID_CONFIG', `the log key ${source.file} is ${key.type}; this log signs with ${source.accept.join(' or ')}`);
    }
    return key;
  }
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
