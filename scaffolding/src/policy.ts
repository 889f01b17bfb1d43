import { ScaffoldingError } from './error.js';

/**
 * How long each role's metadata stays valid, in days. The offline roles (root, targets)
 * live long and are re-signed in a ceremony; the online roles (snapshot, timestamp) live
 * short and `refresh` re-signs them from cron.
 */
export interface ExpiryPolicy {
  readonly root: number;
  readonly targets: number;
  readonly snapshot: number;
  readonly timestamp: number;
}

export const DEFAULT_EXPIRY: ExpiryPolicy = { root: 365, targets: 182, snapshot: 21, timestamp: 7 };

/** Parses "root=365,timestamp=2" over the defaults (or over `base`). */
export function parseExpiryPolicy(text: string, base: ExpiryPolicy = DEFAULT_EXPIRY): ExpiryPolicy {
  const policy: Record<string, number> = { ...base };
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const match = /^\s*(root|targets|snapshot|timestamp)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match) throw new ScaffoldingError('INVALID_ARGUMENT', `bad expiry "${part}" (want role=days, roles root, targets, snapshot, timestamp)`);
    policy[match[1] as string] = Number(match[2]);
  }
  return checkExpiryPolicy(policy);
}

export function checkExpiryPolicy(value: unknown): ExpiryPolicy {
  const v = value as Record<string, unknown>;
  for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
    const days = v?.[role];
    if (typeof days !== 'number' || !(days > 0) || days > 3650) {
      throw new ScaffoldingError('INVALID_ARGUMENT', `expiry for ${role} must be a number of days in (0, 3650]`);
    }
  }
  return { root: v['root'] as number, targets: v['targets'] as number, snapshot: v['snapshot'] as number, timestamp: v['timestamp'] as number };
}
