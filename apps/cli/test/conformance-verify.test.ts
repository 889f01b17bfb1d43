import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceCase, conformanceCaseNames, sharedTestdata, type ConformanceCase } from '@sigstack/testing';
import { runCli, spawnCli } from './helpers.js';

// Every sigstore-conformance bundle-verify case through `conformance verify-bundle`, with the
// artifact as a file and as `sha256:<hex>`: `_fail` cases exit non-zero, the others exit 0.
// Cases without their own trusted root use the public-good one, passed with --trusted-root:
// the built-in TUF root would need the public mirror, which tests cannot reach.

const names = conformanceCaseNames();
const dir = mkdtempSync(path.join(tmpdir(), 'sigstack-conformance-'));

function argv(c: ConformanceCase, mode: 'file' | 'digest'): string[] {
  const root = c.trustedRootText === undefined ? sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json') : path.join(c.dir, 'trusted_root.json');
  const artifactFile = path.join(dir, `${c.name}.artifact`);
  writeFileSync(artifactFile, c.artifact);
  const artifact = mode === 'file' ? artifactFile : `sha256:${createHash('sha256').update(c.artifact).digest('hex')}`;
  const policy = c.publicKeyPem !== undefined ? ['--key', path.join(c.dir, 'key.pub')] : ['--certificate-identity', c.identity, '--certificate-oidc-issuer', c.issuer];
  return ['verify-bundle', '--bundle', path.join(c.dir, 'bundle.sigstore.json'), ...policy, '--trusted-root', root, artifact];
}

describe('conformance verify-bundle over the bundle-verify cases', () => {
  it('finds all 46 cases', () => expect(names.length).toBe(46));

  for (const mode of ['file', 'digest'] as const) {
    it.each(names)(`%s (${mode})`, async (name) => {
      const c = conformanceCase(name);
      const r = await runCli(['conformance', ...argv(c, mode)]);
      if (c.shouldFail) {
        expect(r.code, r.stderr).not.toBe(0);
        // One readable line, never a stack trace.
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^Error: /);
      } else {
        expect(r.code, r.stderr).toBe(0);
      }
    });
  }

  it.each(['happy-path-v0.3', 'rekor2-happy-path', 'managed-key-happy-path', 'wrong-material_fail', 'rekor2-timestamp-payload-mismatch_fail'])(
    'the executable entrypoint answers %s the same way',
    (name) => {
      const c = conformanceCase(name);
      const r = spawnCli('conformance-entrypoint', argv(c, 'file'));
      expect(r.code === 0, r.stderr).toBe(!c.shouldFail);
    },
  );
});
