import type { KeyType } from '@sigstack/crypto';
import { loadLogKey as loadKeyFile } from '@sigstack/tlog-store';
import type { PrivateKey } from '@sigstack/crypto';

export type LogKeyType = Extract<KeyType, 'ecdsa-p256' | 'ed25519'>;

export interface KeySource {
  /** PEM file to read; when it does not exist and `generate` is set, a new key is written there. */
  readonly file: string;
  readonly type: LogKeyType;
  readonly generate: boolean;
}

/** Rekor's logs sign checkpoints with ECDSA P-256 or Ed25519 keys. */
export function loadLogKey(source: KeySource): Promise<PrivateKey> {
  return loadKeyFile({ ...source, accept: ['ecdsa-p256', 'ed25519'] });
}
