import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { rekorErrors } from '../src/errors.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/rekor.md', import.meta.url)), 'utf8');

describe('docs/rekor.md', () => {
  it.each(Object.entries(rekorErrors.table))('documents error code %s with its status and description', (code, info) => {
    expect(doc).toContain(`| \`${code}\` | ${info.status} | ${info.description} |`);
  });

  it.each(Object.keys(configSchema))('documents setting %s', (key) => {
    expect(doc).toContain(`\`${key}\``);
  });
});
