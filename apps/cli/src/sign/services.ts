// Which services a signature uses: the signing config (a file, or the TUF target, as cosign 3
// does, honouring its Rekor and TSA selectors), or cosign's older --fulcio-url, --rekor-url and
// --timestamp-server-url flags, which replace the config's entries of their kind.
import { selectService, selectServices, type SigningConfig } from '@sigstack/trust';
import { CliError } from '../errors.js';

export interface RekorTarget {
  readonly url: string;
  readonly version: 1 | 2;
}

export interface SigningServices {
  readonly fulcio: string | undefined;
  readonly oidcIssuer: string | undefined;
  readonly rekor: readonly RekorTarget[];
  readonly tsa: readonly string[];
}

export interface ServiceFlags {
  readonly fulcioUrl?: string | undefined;
  readonly rekorUrl?: string | undefined;
  readonly tsaUrl?: string | undefined;
  readonly tlogUpload: boolean;
}

function pick<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    throw new CliError('TRUST', `signing config: no usable ${what}: ${(cause as Error).message}`, { cause });
  }
}

export function selectSigningServices(config: SigningConfig | undefined, flags: ServiceFlags, now: Date): SigningServices {
  const query = { time: now, apiVersions: [1] };
  const fulcio = flags.fulcioUrl ?? (config && config.caUrls.length > 0 ? pick('Fulcio', () => selectService(config.caUrls, query).url) : undefined);
  const oidcIssuer = config && config.oidcUrls.length > 0 ? pick('OIDC provider', () => selectService(config.oidcUrls, query).url) : undefined;
  let rekor: RekorTarget[] = [];
  if (flags.rekorUrl !== undefined) rekor = [{ url: flags.rekorUrl, version: 1 }];
  else if (config && config.rekorTlogUrls.length > 0) {
    rekor = pick('Rekor', () => selectServices(config.rekorTlogUrls, config.rekorTlogConfig, { time: now, apiVersions: [1, 2] })).map((s) => ({
      url: s.url,
      version: s.majorApiVersion === 2 ? 2 : 1,
    }));
  }
  if (!flags.tlogUpload) rekor = [];
  let tsa: string[] = [];
  if (flags.tsaUrl !== undefined) tsa = [flags.tsaUrl];
  else if (config && config.tsaUrls.length > 0) tsa = pick('TSA', () => selectServices(config.tsaUrls, config.tsaConfig, query)).map((s) => s.url);
  return { fulcio, oidcIssuer, rekor, tsa };
}
