import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsaErrors } from '../src/errors.js';
import { tsaConfigSchema } from '../src/config.js';

function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(join(dir, 'nx.json'));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) throw new Error('nx.json not found');
      dir = up;
    }
  }
}

const doc = readFileSync(join(workspaceRoot(), 'docs', 'tsa.md'), 'utf8');

describe('docs/tsa.md', () => {
  it('lists every error code with its status and description', () => {
    for (const [code, info] of Object.entries(tsaErrors.table)) {
      expect(doc).toContain(`| \`${code}\` | ${info.status} | ${info.description} |`);
    }
  });

  it('documents every setting', () => {
    for (const key of Object.keys(tsaConfigSchema)) expect(doc).toContain(`\`${key}\``);
  });
});
