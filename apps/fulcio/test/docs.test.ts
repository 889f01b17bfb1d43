import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fulcioConfigSchema } from '../src/config.js';
import { fulcioErrors } from '../src/errors.js';
import { parseIdentityConfig } from '../src/identity/config.js';

const doc = readFileSync(new URL('../../../docs/fulcio.md', import.meta.url), 'utf8');

describe('docs/fulcio.md', () => {
  it('lists every error code with its status and description', () => {
    for (const [code, info] of Object.entries(fulcioErrors.table)) expect(doc).toContain(`| \`${code}\` | ${info.status} | ${info.description} |`);
  });

  it('documents every setting', () => {
    for (const key of Object.keys(fulcioConfigSchema)) expect(doc).toContain(`\`${key}\``);
  });

  it('every IdP snippet is a valid issuer configuration', () => {
    const snippets = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(snippets.length).toBeGreaterThanOrEqual(7);
    for (const snippet of snippets) {
      // The Keycloak snippet's ca-cert is elided; everything else must load as written.
      const text = snippet.replace(/ {4}ca-cert: \|\n( {6}.*\n)+/, '');
      expect(() => parseIdentityConfig(text), text).not.toThrow();
    }
  });
});
