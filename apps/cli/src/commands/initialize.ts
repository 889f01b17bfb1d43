// sigstack initialize: bootstrap trust from a TUF repository, as cosign initialize does. The
// verified metadata is cached under the config dir; later commands refresh from the mirror.
import { createHash } from 'node:crypto';
import { parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { readInput } from '../files.js';
import { PUBLIC_GOOD_MIRROR, PUBLIC_GOOD_TUF_ROOT } from '../embedded/public-good-root.js';
import { mirrorCacheDir } from '../trust/config-dir.js';
import { initializeTuf } from '../trust/tuf.js';

const FLAGS = {
  mirror: { type: 'string' },
  root: { type: 'string' },
  'root-checksum': { type: 'string' },
} as const;

export const initialize: Command = {
  name: 'initialize',
  summary: 'Bootstrap trust from a TUF repository (--mirror URL --root root.json)',
  usage: 'sigstack initialize [--mirror URL] [--root FILE] [--root-checksum SHA256]',
  async run(argv, io) {
    const p = parseFlags('initialize', argv, FLAGS);
    positionals(p, 'initialize', []);
    const mirror = (str(p, 'mirror') ?? PUBLIC_GOOD_MIRROR).replace(/\/+$/, '');
    const rootFile = str(p, 'root');
    const root = rootFile === undefined ? Buffer.from(PUBLIC_GOOD_TUF_ROOT, 'utf8') : readInput(io, rootFile, 'TUF root');
    const checksum = str(p, 'root-checksum');
    if (checksum !== undefined && createHash('sha256').update(root).digest('hex') !== checksum.toLowerCase()) {
      throw new CliError('TRUST', `the root ${rootFile ?? '(built in)'} does not match --root-checksum`);
    }
    const trust = await initializeTuf(io, mirror, root);
    const targets = [trust.trustedRoot ? 'trusted_root.json' : undefined, trust.signingConfig ? 'signing_config.v0.2.json' : undefined].filter(Boolean);
    io.stderr(`Root status: initialized from ${mirror} (${targets.join(', ') || 'no Sigstore targets'}), cached in ${mirrorCacheDir(io, mirror)}\n`);
    return 0;
  },
};
