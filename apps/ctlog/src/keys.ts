import type { PrivateKey } from '@sigstack/crypto';
import { loadLogKey as loadKeyFile } from '@sigstack/tlog-store';

export interface KeySource {
  /** PEM file to read; when it does not exist and `generate` is set, a new key is written there. */
  readonly file: string;
  readonly generate: boolean;
}

/** The CT log signs with ECDSA P-256, as RFC 6962 logs and sigstore's ctfe do. */
export function loadLogKey(source: KeySource): Promise<PrivateKey> {
  return loadKeyFile({ ...source, type: 'ecdsa-p256', accept: ['ecdsa-p256'] });
}
