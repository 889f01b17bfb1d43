import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '@sigstack/testing';
import { COMMANDS } from '../src/cli.js';
import { EXIT_CODES } from '../src/errors.js';

const doc = readFileSync(path.join(workspaceRoot(), 'docs', 'cli.md'), 'utf8');

describe('docs/cli.md', () => {
  it.each(COMMANDS.map((c) => c.name))('documents %s with an example', (name) => {
    const section = doc.split(`\n### ${name}\n`)[1];
    expect(section, `no "### ${name}" section`).toBeDefined();
    expect(section!.split('\n### ')[0]).toMatch(/```sh\n/);
  });

  it.each(Object.entries(EXIT_CODES))('lists exit code %s = %i', (name, code) => {
    expect(doc).toMatch(new RegExp(`\\| ${code} \\| \`${name}\` \\|`));
  });
});
