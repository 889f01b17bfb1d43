import { ServiceSelector } from '@sigstore/protobuf-specs';
import type { ServiceConfiguration } from '@sigstore/protobuf-specs';
import { TrustError } from './error.js';
import type { Service } from './types.js';
import { checkTime, isWithin } from './validity.js';

// Selection as protobuf-specs' SigningConfig describes it and sigstore-go implements it:
// only services valid at the time; the highest API version the caller supports that has
// any such service (never a mix of versions); per operator the newest (latest start)
// service; then the selector. Time and randomness come from the caller.

export interface ServiceQuery {
  /** The time the services must be valid at (usually now, passed in explicitly). */
  time: Date;
  /** Major API versions the caller speaks, e.g. [1, 2] for a Rekor v1+v2 client. */
  apiVersions: readonly number[];
}

export interface ServicesQuery extends ServiceQuery {
  /** Source of randomness in [0, 1) for ANY/EXACT; without it the newest services win. */
  random?: () => number;
}

function candidates(services: readonly Service[], query: ServiceQuery): Service[] {
  checkTime(query.time);
  if (query.apiVersions.length === 0) throw new TrustError('INVALID_ARGUMENT', 'no supported API versions given');
  const valid = services.filter((s) => isWithin(s.validFor, query.time));
  // Newest first; sort is stable, so equal starts keep the file's order.
  valid.sort((a, b) => b.validFor.start.getTime() - a.validFor.start.getTime());
  const versions = [...query.apiVersions].sort((a, b) => b - a);
  for (const version of versions) {
    const found = valid.filter((s) => s.majorApiVersion === version);
    if (found.length > 0) return found;
  }
  throw new TrustError(
    'NO_MATCHING_SERVICE',
    `no service valid at ${query.time.toISOString()} with API version ${versions.join(' or ')}`,
  );
}

/** The one service to use for a CA or an OIDC provider (caUrls, oidcUrls). */
export function selectService(services: readonly Service[], query: ServiceQuery): Service {
  return candidates(services, query)[0] as Service;
}

/** The services to use for transparency logs or TSAs (rekorTlogUrls with rekorTlogConfig, ...). */
export function selectServices(
  services: readonly Service[],
  config: ServiceConfiguration | undefined,
  query: ServicesQuery,
): Service[] {
  if (config === undefined) throw new TrustError('INVALID_SELECTOR', 'no service configuration');
  const byOperator = new Map<string, Service>();
  for (const s of candidates(services, query)) if (!byOperator.has(s.operator)) byOperator.set(s.operator, s);
  const distinct = [...byOperator.values()];
  switch (config.selector) {
    case ServiceSelector.ALL:
      return distinct;
    case ServiceSelector.ANY:
      return pick(distinct, 1, query.random);
    case ServiceSelector.EXACT:
      if (config.count <= 0) throw new TrustError('INVALID_SELECTOR', 'EXACT needs a count greater than 0');
      if (config.count > distinct.length) {
        throw new TrustError(
          'NOT_ENOUGH_SERVICES',
          `EXACT asks for ${config.count} services from distinct operators, ${distinct.length} qualify`,
        );
      }
      return pick(distinct, config.count, query.random);
    default:
      throw new TrustError('INVALID_SELECTOR', `unsupported service selector ${String(config.selector)}`);
  }
}

function pick(list: Service[], count: number, random: (() => number) | undefined): Service[] {
  if (random === undefined) return list.slice(0, count);
  const pool = [...list];
  const chosen: Service[] = [];
  while (chosen.length < count) {
    const i = Math.min(Math.floor(random() * pool.length), pool.length - 1);
    chosen.push(...pool.splice(Math.max(i, 0), 1));
  }
  return chosen;
}
