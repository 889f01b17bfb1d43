import { MetadataKind } from '@tufjs/models';
import type { Metadata, Snapshot } from '@tufjs/models';
import { ScaffoldingError } from './error.js';
import { addDays, assertThreshold, formatExpires, newMetadata, signersForRole, signMetadata } from './metadata.js';
import type { ExpiryPolicy } from './policy.js';
import { publish, readRepository } from './repository.js';
import { signTimestamp } from './ops.js';
import type { TufSigner } from './signer.js';

export interface RefreshOptions {
  readonly dir: string;
  readonly onlineSigners: readonly TufSigner[];
  readonly expiry: ExpiryPolicy;
  readonly now: Date;
  /** Re-sign even if the metadata is far from expiry. */
  readonly force?: boolean;
}

export interface RoleExpiry {
  readonly role: string;
  readonly version: number;
  readonly expires: Date;
}

export interface RefreshResult {
  readonly timestamp: RoleExpiry & { readonly resigned: boolean };
  readonly snapshot: RoleExpiry & { readonly resigned: boolean };
  readonly targets: RoleExpiry;
  readonly root: RoleExpiry;
  /** Offline roles (root, targets) that expire before the next timestamp would: the online key cannot fix those. */
  readonly offlineExpiring: readonly string[];
}

/**
 * Re-signs the online roles before they expire: the timestamp (and the snapshot, with the
 * same targets) once less than half of its lifetime is left, or always with `force`. Run
 * it from cron more often than half the timestamp lifetime. Safe to run repeatedly; it
 * never changes targets, so only the online key is needed.
 */
export async function refreshRepository(options: RefreshOptions): Promise<RefreshResult> {
  const state = await readRepository(options.dir);
  const { root, snapshot: oldSnapshot, timestamp: oldTimestamp, targets } = state;
  if (oldSnapshot === undefined || oldTimestamp === undefined || targets === undefined) {
    throw new ScaffoldingError('INVALID_METADATA', 'the repository has no timestamp yet (publish targets first)');
  }
  const now = options.now;
  const due = (expires: string, days: number) => options.force === true || new Date(expires).getTime() - now.getTime() < (days * 86_400_000) / 2;

  let snapshot: Metadata<Snapshot> | undefined;
  if (due(oldSnapshot.signed.expires, options.expiry.snapshot)) {
    snapshot = newMetadata(MetadataKind.Snapshot, {
      version: oldSnapshot.signed.version + 1,
      expires: formatExpires(addDays(now, options.expiry.snapshot)),
      meta: Object.fromEntries(Object.entries(oldSnapshot.signed.meta).map(([k, v]) => [k, v.toJSON()])),
    });
    await signMetadata(snapshot, signersForRole(root.signed, 'snapshot', options.onlineSigners));
    assertThreshold(root.signed, 'snapshot', snapshot, 'snapshot');
  }
  const timestampDue = snapshot !== undefined || due(oldTimestamp.signed.expires, options.expiry.timestamp);
  const timestamp = timestampDue
    ? await signTimestamp(root.signed, snapshot ?? oldSnapshot, state, { ...options, dir: options.dir })
    : oldTimestamp;
  if (timestampDue) await publish(options.dir, { snapshot, timestamp });

  const finalSnapshot = snapshot ?? oldSnapshot;
  const nextTimestampExpiry = addDays(new Date(timestamp.signed.expires), 0);
  const offlineExpiring: string[] = [];
  if (new Date(root.signed.expires) <= nextTimestampExpiry) offlineExpiring.push('root');
  if (new Date(targets.signed.expires) <= nextTimestampExpiry) offlineExpiring.push('targets');
  return {
    timestamp: { role: 'timestamp', version: timestamp.signed.version, expires: new Date(timestamp.signed.expires), resigned: timestampDue },
    snapshot: { role: 'snapshot', version: finalSnapshot.signed.version, expires: new Date(finalSnapshot.signed.expires), resigned: snapshot !== undefined },
    targets: { role: 'targets', version: targets.signed.version, expires: new Date(targets.signed.expires) },
    root: { role: 'root', version: root.signed.version, expires: new Date(root.signed.expires) },
    offlineExpiring,
  };
}

/** The one line `refresh` prints, for cron logs and monitoring. */
export function formatRefreshLine(result: RefreshResult): string {
  const role = (r: RoleExpiry & { resigned?: boolean }) =>
    `${r.role} v${r.version} ${r.resigned === undefined ? '' : r.resigned ? 're-signed ' : 'kept '}until ${formatExpires(r.expires)}`;
  const status = result.offlineExpiring.length > 0 ? `WARN ${result.offlineExpiring.join(' and ')} expire(s) before the next refresh; ` : 'OK ';
  return `${status}${[result.timestamp, result.snapshot, result.targets, result.root].map(role).join('; ')}`;
}
