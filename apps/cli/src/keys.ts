// cosign key files: the encrypted private key (password from COSIGN_PASSWORD, else a prompt)
// and plain PEM keys.
import { CryptoError, decryptPrivateKey, importPrivateKey, type PrivateKey } from '@sigstack/crypto';
import { CliError } from './errors.js';
import { readText } from './files.js';
import { prompt, type CliIo } from './io.js';

export async function password(io: CliIo, question: string): Promise<string> {
  const env = io.env['COSIGN_PASSWORD'];
  if (env !== undefined) return env;
  return prompt(io, question, true, 'no password: set COSIGN_PASSWORD (stdin is not a terminal to ask at)');
}

export async function loadPrivateKey(io: CliIo, file: string): Promise<PrivateKey> {
  const text = readText(io, file, 'private key');
  if (!/-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(text)) return importPrivateKey(text);
  const pw = await password(io, 'Enter password for private key: ');
  try {
    return await decryptPrivateKey(text, pw);
  } catch (cause) {
    if (cause instanceof CryptoError && cause.code === 'DECRYPTION_FAILED') throw new CliError('AUTH', `cannot decrypt ${file}: wrong password?`, { cause });
    throw cause;
  }
}
