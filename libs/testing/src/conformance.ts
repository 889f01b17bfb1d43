import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedTestdata } from './workspace.js';

/** Defaults of the sigstore-conformance bundle-verify cases (their README). */
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** One folder of `conformance/bundle-verify`, read as the conformance suite reads it. */
export interface ConformanceCase {
  readonly name: string;
  readonly dir: string;
  /** A folder name ending in `_fail` must be rejected; every other case must verify. */
  readonly shouldFail: boolean;
  readonly bundleText: string;
  readonly artifact: Buffer;
  readonly identity: string;
  readonly issuer: string;
  /** Verify with this PEM key instead of a certificate identity. */
  readonly publicKeyPem: string | undefined;
  /** The case's own trusted root; undefined means the public-good production root. */
  readonly trustedRootText: string | undefined;
  /** Why the case exists, from its README. */
  readonly readme: string;
}

const bundleVerifyDir = () => sharedTestdata('conformance', 'bundle-verify');

export function conformanceCaseNames(): string[] {
  return readdirSync(bundleVerifyDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function conformanceCase(name: string): ConformanceCase {
  const dir = path.join(bundleVerifyDir(), name);
  const optional = (file: string) => (existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), 'utf8') : undefined);
  const artifactPath = existsSync(path.join(dir, 'artifact')) ? path.join(dir, 'artifact') : sharedTestdata('conformance', 'a.txt');
  return {
    name,
    dir,
    shouldFail: name.endsWith('_fail'),
    bundleText: readFileSync(path.join(dir, 'bundle.sigstore.json'), 'utf8'),
    artifact: readFileSync(artifactPath),
    identity: optional('identity')?.trim() ?? DEFAULT_IDENTITY,
    issuer: optional('issuer')?.trim() ?? DEFAULT_ISSUER,
    publicKeyPem: optional('key.pub'),
    trustedRootText: optional('trusted_root.json'),
    readme: optional('README') ?? optional('README.md') ?? '',
  };
}

/** The public-good production trusted root, for cases without their own. */
export function publicGoodTrustedRootText(): string {
  return readFileSync(sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json'), 'utf8');
}
