// Where a command's trusted root and signing config come from: a file named by a flag, else
// the TUF repository (refreshed once per command).
import { parseSigningConfig, parseTrustedRoot, TrustError } from '@sigstack/trust';
import type { SigningConfig, TrustedRoot } from '@sigstack/trust';
import { CliError } from '../errors.js';
import { readText } from '../files.js';
import type { CliIo } from '../io.js';
import { tufTrust, type TufTrust } from './tuf.js';

export class TrustSource {
  private tuf: Promise<TufTrust> | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly offline: boolean,
  ) {}

  private fromTuf(): Promise<TufTrust> {
    this.tuf ??= tufTrust(this.io, this.offline);
    return this.tuf;
  }

  async trustedRoot(file: string | undefined): Promise<TrustedRoot> {
    if (file !== undefined) return parseTrustFile(this.io, file, 'trusted root', parseTrustedRoot);
    const tuf = await this.fromTuf();
    if (tuf.trustedRoot === undefined) throw new CliError('TRUST', `the TUF repository ${tuf.mirror} has no trusted_root.json target`);
    return tuf.trustedRoot;
  }

  async signingConfig(file: string | undefined): Promise<SigningConfig> {
    if (file !== undefined) return parseTrustFile(this.io, file, 'signing config', parseSigningConfig);
    const tuf = await this.fromTuf();
    if (tuf.signingConfig === undefined) throw new CliError('TRUST', `the TUF repository ${tuf.mirror} has no signing_config.v0.2.json target`);
    return tuf.signingConfig;
  }
}

export function parseTrustFile<T>(io: CliIo, file: string, what: string, parse: (text: string) => T): T {
  const text = readText(io, file, what);
  try {
    return parse(text);
  } catch (cause) {
    if (cause instanceof TrustError) throw new CliError('INPUT', `${what} ${file}: ${cause.code}: ${cause.message}`, { cause });
    throw cause;
  }
}
