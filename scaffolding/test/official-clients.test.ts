import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { conformanceCase, sharedTestdata, workspaceRoot } from '@sigstack/testing';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import * as sigstore from 'sigstore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRepository } from '../src/init.js';
import { DEFAULT_EXPIRY } from '../src/policy.js';
import { serveRepository } from '../src/serve.js';
import type { RunningServer } from '../src/serve.js';
import { parseTrustFiles, trustTargetFiles } from '../src/trust-targets.js';
import { signers, tempDir } from './helpers.js';

// The official clients bootstrap from our repository over HTTP, unchanged: sigstore-js
// (the `sigstore` package, tufMirrorURL + tufRootPath) and @sigstore/cli 0.8's
// `sigstore initialize --mirror --root`. The repository carries a custom trusted root, so a
// bundle that verifies can only have been checked against what the client got from us.
// Our own client's `initialize` does not exist yet (apps/cli): not tested here.

const custom = conformanceCase('intoto-with-custom-trust-root');
let dir: string;
let server: RunningServer;
let rootPath: string;

beforeAll(async () => {
  const [root, targets, online] = await Promise.all([signers(1), signers(1), signers(1)]);
  dir = await tempDir();
  const material = parseTrustFiles({
    trustedRoot: custom.trustedRootText as string,
    signingConfig: await readFile(sharedTestdata('public-good-tuf', 'targets', 'signing_config.v0.2.json'), 'utf8'),
  });
  await initRepository({
    dir,
    rootSigners: root,
    rootThreshold: 1,
    targetsSigners: targets,
    onlineSigners: online,
    expiry: DEFAULT_EXPIRY,
    now: new Date(), // the official clients check expiry against the real clock
    targetFiles: trustTargetFiles(material),
  });
  rootPath = path.join(dir, '1.root.json');
  server = await serveRepository({ dir, port: 0 });
});

afterAll(async () => server?.close());

describe('official clients', () => {
  it('sigstore-js verifies a bundle with the trusted root it fetched from our repository', async () => {
    const cache = await tempDir('sigstore-js-cache-');
    const signer = await sigstore.verify(JSON.parse(custom.bundleText), custom.artifact, {
      tufMirrorURL: server.url,
      tufRootPath: rootPath,
      tufCachePath: cache,
      certificateIdentityURI: custom.identity,
      certificateIssuer: custom.issuer,
    });
    expect(signer.identity?.subjectAlternativeName).toBe(custom.identity);
    const cached = (await import('node:fs')).readdirSync(cache, { recursive: true }).map(String);
    expect(cached.some((f) => f.endsWith('timestamp.json'))).toBe(true);
  });

  it('sigstore-js rejects the same bundle against a repository holding the public-good root', async () => {
    const [root, targets, online] = await Promise.all([signers(1), signers(1), signers(1)]);
    const other = await tempDir();
    await initRepository({
      dir: other,
      rootSigners: root,
      rootThreshold: 1,
      targetsSigners: targets,
      onlineSigners: online,
      expiry: DEFAULT_EXPIRY,
      now: new Date(),
      targetFiles: trustTargetFiles(parseTrustFiles({ trustedRoot: await readFile(sharedTestdata('public-good-tuf', 'targets', 'trusted_root.json'), 'utf8') })),
    });
    const otherServer = await serveRepository({ dir: other, port: 0 });
    try {
      await expect(
        sigstore.verify(JSON.parse(custom.bundleText), custom.artifact, {
          tufMirrorURL: otherServer.url,
          tufRootPath: path.join(other, '1.root.json'),
          tufCachePath: await tempDir('sigstore-js-cache-'),
          certificateIdentityURI: custom.identity,
          certificateIssuer: custom.issuer,
        }),
      ).rejects.toThrow(/timestamp could not be verified|certificate/);
    } finally {
      await otherServer.close();
    }
  });

  it('`sigstore initialize --mirror --root` (@sigstore/cli 0.8) initialises from our repository', async () => {
    const cache = await tempDir('sigstore-cli-cache-');
    const bin = path.join(workspaceRoot(), 'node_modules', '.bin', 'sigstore');
    await promisify(execFile)(process.execPath, [bin, 'initialize', '--mirror', server.url, '--root', rootPath, '--cache-path', cache], { timeout: 60_000 });
    const repoCache = path.join(cache, encodeURIComponent(new URL(server.url).host));
    for (const file of ['root.json', 'timestamp.json', 'snapshot.json', 'targets.json']) expect(existsSync(path.join(repoCache, file))).toBe(true);
  });

  it('the published trusted_root.json is trust material sigstore-js accepts', async () => {
    const files = trustTargetFiles(parseTrustFiles({ trustedRoot: custom.trustedRootText as string }));
    const material = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(Buffer.from(files.get('trusted_root.json') as Uint8Array).toString('utf8'))));
    expect(material.certificateAuthorities.length).toBeGreaterThan(0);
  });
});
