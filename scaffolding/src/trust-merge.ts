import type { CertificateAuthority, SigningConfig, TransparencyLogInstance, TrustedRoot } from '@sigstack/trust';
import type { TrustMaterial } from './gather.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const logIdentity = (log: TransparencyLogInstance) => `${log.baseUrl} ${hex(log.logId.keyId)}`;
const authorityIdentity = (ca: CertificateAuthority) => ca.certChain.certificates.map((c) => hex(c.rawBytes)).join(',');

/**
 * The trusted root after a deployment changed, keeping history: an entry seen before keeps
 * its window; an entry no longer served gets an end (`now`) but stays, so signatures made
 * while it was current still verify; a new entry starts. Kinds the update does not mention
 * (an empty list) are left as they were, so updating one service never touches the others.
 */
export function mergeTrustedRoot(previous: TrustedRoot | undefined, update: TrustedRoot, now: Date): TrustedRoot {
  if (previous === undefined) return update;
  return {
    mediaType: update.mediaType,
    tlogs: mergeList(previous.tlogs, update.tlogs, logIdentity, now, (l) => l.publicKey.validFor),
    certificateAuthorities: mergeList(previous.certificateAuthorities, update.certificateAuthorities, authorityIdentity, now, (c) => c.validFor),
    ctlogs: mergeList(previous.ctlogs, update.ctlogs, logIdentity, now, (l) => l.publicKey.validFor),
    timestampAuthorities: mergeList(previous.timestampAuthorities, update.timestampAuthorities, authorityIdentity, now, (c) => c.validFor),
  };
}

function mergeList<T>(
  previous: readonly T[],
  update: readonly T[],
  identity: (item: T) => string,
  now: Date,
  window: (item: T) => { start: Date; end?: Date },
): T[] {
  if (update.length === 0) return [...previous];
  const wanted = new Set(update.map(identity));
  const kept = previous.map((item) => {
    const w = window(item);
    if (wanted.has(identity(item)) || w.end !== undefined) return item;
    // Rotated out: close the window at `now` (never before it opened).
    const copy = structuredClone(item);
    window(copy).end = new Date(Math.max(now.getTime(), w.start.getTime()));
    return copy;
  });
  const known = new Set(previous.map(identity));
  // A new entry starts no earlier than the end of what it replaces, so the two windows meet.
  return [...kept, ...update.filter((item) => !known.has(identity(item)))];
}

/**
 * Where a rotated key's window ends and its successor's starts, given when the service
 * stopped signing with the old key (`rotatedAt`): the old window ends then; the new one
 * starts at the whole second at or before it. Rekor v1 integrated times, and the genTime of
 * many TSAs, are whole seconds, so an entry made in the rotation's second, after it, would
 * otherwise fall before the new key's window. The two windows overlap by less than a second.
 */
export function rotationWindows(rotatedAt: Date): { readonly end: Date; readonly start: Date } {
  return { end: new Date(rotatedAt.getTime()), start: new Date(Math.floor(rotatedAt.getTime() / 1000) * 1000) };
}

/** The signing config after an update: service kinds the update lists replace the old ones. */
export function mergeSigningConfig(previous: SigningConfig | undefined, update: SigningConfig): SigningConfig {
  if (previous === undefined) return update;
  const pick = <K extends 'caUrls' | 'oidcUrls' | 'rekorTlogUrls' | 'tsaUrls'>(key: K) => (update[key].length > 0 ? update[key] : previous[key]);
  return {
    mediaType: update.mediaType,
    caUrls: pick('caUrls'),
    oidcUrls: pick('oidcUrls'),
    rekorTlogUrls: pick('rekorTlogUrls'),
    tsaUrls: pick('tsaUrls'),
    rekorTlogConfig: update.rekorTlogConfig ?? previous.rekorTlogConfig,
    tsaConfig: update.tsaConfig ?? previous.tsaConfig,
  };
}

export type { TrustMaterial };
