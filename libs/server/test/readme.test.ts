import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverErrors } from '../src/codes.js';
import { commonFields } from '../src/common.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\| `([A-Z_]+)` \|(.*)\|$/.exec(line);
    if (m?.[1]) rows.set(m[1], (m[2] ?? '').split('|').map((c) => c.trim()));
  }
  return rows;
}

describe('README', () => {
  it('documents every error code with its status, and no others', () => {
    const rows = tableRows();
    const documented = [...rows.entries()].filter(([, cells]) => /^\d{3}$/.test(cells[0] ?? ''));
    expect(Object.fromEntries(documented.map(([code, cells]) => [code, Number(cells[0])]))).toEqual(
      Object.fromEntries(Object.entries(serverErrors.table).map(([code, info]) => [code, info.status])),
    );
  });

  it('documents every common setting', () => {
    const rows = tableRows();
    for (const key of Object.keys(commonFields({ port: 1 }))) expect(rows.has(key), key).toBe(true);
  });
});
