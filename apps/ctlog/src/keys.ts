import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportPrivateKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import type { PrivateKey } from '@sigstack/crypto';

export interface KeySource {
  /** PEM file to read; when it does not exist and `generate` is set, a new key is written there. */
  readonly file: string;
  readonly generate: boolean;
}

/** Reads the log key (ECDSA P-256, as RFC 6962 logs and sigstore's ctfe use), or generates one (dev), mode 0600. */
export async function loadLogKey(source: KeySource): Promise<PrivateKey> {
  let pem: string | undefined;
  try {
    pem = await readFile(source.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !source.generate) {
      throw new Error(`cannot read the log key ${source.file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: err });
    }
  }
  if (pem !== undefined) {
    const key = importPrivateKey(pem);
    if (key.type !== 'ecdsa-p256') throw new Error(`the log key ${source.file} is ${key.type}; a CT log key is ECDSA P-256`);
    return key;
  }
  const { privateKey } = await generateKeyPair('ecdsa-p256');
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
