import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyRepository } from '../src/client.js';
import { initRepository } from '../src/init.js';
import { DEFAULT_EXPIRY } from '../src/policy.js';
import { signers, tempDir, text } from './helpers.js';

describe('initRepository', () => {
  it('creates a repository tuf-js bootstraps from', async () => {
    const [root, targets, online] = await Promise.all([signers(3), signers(1), signers(1, 'ed25519')]);
    const dir = await tempDir();
    await initRepository({
      dir,
      rootSigners: root,
      rootThreshold: 2,
      targetsSigners: targets,
      onlineSigners: online,
      expiry: DEFAULT_EXPIRY,
      now: new Date(),
      targetFiles: new Map([['hello.txt', text('hi')]]),
    });
    const report = await verifyRepository({ repository: dir, initialRoot: await readFile(path.join(dir, '1.root.json')) });
    expect(report.roles.map((r) => `${r.role} v${r.version}`)).toEqual(['root v1', 'timestamp v1', 'snapshot v1', 'targets v1']);
    expect(report.targets.map((t) => t.name)).toEqual(['hello.txt']);
  });
});
