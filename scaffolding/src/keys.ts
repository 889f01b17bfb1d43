import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encryptPrivateKey, exportPublicKey, generateKeyPair } from '@sigstack/crypto';
import type { ScryptN } from '@sigstack/crypto';
import { ScaffoldingError } from './error.js';
import { privateKeySigner } from './signer.js';
import type { TufSigner } from './signer.js';

export type TufKeyType = 'ecdsa-p256' | 'ed25519';

export interface GenerateKeyFileOptions {
  /** Where to write `<name>.key` (encrypted, mode 0600) and `<name>.pub` (PEM). */
  readonly dir: string;
  readonly name: string;
  readonly password: string;
  readonly type?: TufKeyType;
  /** cosign's scrypt cost; the default is cosign's (65536). */
  readonly scryptN?: ScryptN;
}

export interface GeneratedKey {
  readonly signer: TufSigner;
  readonly keyFile: string;
  readonly publicKeyFile: string;
}

/**
 * Generates a key pair and writes it as a cosign-format encrypted key file and a PEM
 * public key. Never overwrites: an existing key file is an error, so a rerun cannot
 * replace keys a published root trusts.
 */
export async function generateKeyFile(options: GenerateKeyFileOptions): Promise<GeneratedKey> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.name)) throw new ScaffoldingError('INVALID_ARGUMENT', `bad key name ${options.name}`);
  const keyFile = path.join(options.dir, `${options.name}.key`);
  const publicKeyFile = path.join(options.dir, `${options.name}.pub`);
  if (existsSync(keyFile)) throw new ScaffoldingError('KEY_FILE', `${keyFile} exists; refusing to overwrite a key`);
  const { privateKey, publicKey } = await generateKeyPair(options.type ?? 'ecdsa-p256');
  const pem = await encryptPrivateKey(privateKey, options.password, options.scryptN === undefined ? {} : { scryptN: options.scryptN });
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
  await chmod(keyFile, 0o600);
  await writeFile(publicKeyFile, exportPublicKey(publicKey, 'pem'));
  return { signer: privateKeySigner(privateKey), keyFile, publicKeyFile };
}
