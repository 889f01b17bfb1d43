// Clients sharing one cache folder at the same time (parallel CI steps under one HOME, or a
// script running several `sigstack` commands at once): a client reads the target it verified,
// never a file another client is writing into the cache at that moment.
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { verifyRepository } from '../src/client.js';
import { gatherTrustMaterial } from '../src/gather.js';
import { initRepository } from '../src/init.js';
import { DEFAULT_EXPIRY } from '../src/policy.js';
import { trustTargetFiles } from '../src/trust-targets.js';
import { signers, tempDir } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

it('a target half-written into the shared cache by another client does not reach this one', async () => {
  const [root, targets, online] = await Promise.all([signers(1), signers(1), signers(1)]);
  const dir = await tempDir();
  const now = new Date();
  const material = await gatherTrustMaterial({ oidc: [{ url: 'https://oidc.example' }], tsa: [] }, { now });
  await initRepository({
    dir,
    rootSigners: root,
    rootThreshold: 1,
    targetsSigners: targets,
    onlineSigners: online,
    expiry: DEFAULT_EXPIRY,
    now,
    targetFiles: trustTargetFiles(material),
  });
  const initialRoot = await readFile(path.join(dir, '1.root.json'));
  const cacheDir = await tempDir('scaffolding-shared-cache-');
  const cached = path.join(cacheDir, 'targets', 'signing_config.v0.2.json');
  const whole = Buffer.from(trustTargetFiles(material).get('signing_config.v0.2.json') as Uint8Array);

  // Each time tuf-js copies a verified download, another client is caught half-way through
  // writing the same target into the shared cache.
  const copy = fs.copyFileSync.bind(fs);
  vi.spyOn(fs, 'copyFileSync').mockImplementation((from, to, mode) => {
    copy(from, to, mode);
    if (String(to).startsWith(cached)) fs.writeFileSync(cached, whole.subarray(0, whole.length >> 1));
  });
  const report = await verifyRepository({ repository: dir, initialRoot, cacheDir, at: now });
  expect(report.signingConfig?.oidcUrls.map((s) => s.url)).toEqual(['https://oidc.example']);
  // What stays in the cache is a whole, verified file, and no temporary file is left behind.
  expect((await readFile(cached)).equals(whole)).toBe(true);
  expect(fs.readdirSync(path.join(cacheDir, 'targets')).sort()).toEqual(['signing_config.v0.2.json', 'trusted_root.json']);
});
