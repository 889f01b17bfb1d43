import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '@sigstack/crypto';
import { privateKeySigner } from '../src/signer.js';
import type { TufSigner } from '../src/signer.js';

export async function signers(count: number, type: 'ecdsa-p256' | 'ed25519' = 'ecdsa-p256'): Promise<TufSigner[]> {
  return Promise.all(Array.from({ length: count }, async () => privateKeySigner((await generateKeyPair(type)).privateKey)));
}

export function tempDir(prefix = 'scaffolding-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
