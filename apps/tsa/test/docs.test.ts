import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@sigstack/testing';
import { describe, expect, it } from 'vitest';
import { tsaErrors } from '../src/errors.js';
import { tsaConfigSchema } from '../src/config.js';

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
