import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { ctErrors } from '../src/errors.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/ctlog.md', import.meta.url)), 'utf8');

describe('docs/ctlog.md', () => {
  it('lists every error code with its status', () => {
    for (const [code, info] of Object.entries(ctErrors.table)) {
      expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${info.status} \\|`));
    }
  });

  it('lists every CT-specific setting', () => {
    for (const key of Object.keys(configSchema)) {
      if (['HOST', 'LOG_LEVEL', 'BODY_LIMIT', 'SHUTDOWN_TIMEOUT'].includes(key)) continue;
      expect(doc, key).toContain(`| \`${key}\` |`);
    }
  });
});
