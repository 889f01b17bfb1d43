import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonFields } from '@sigstack/server';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../src/config.js';
import { oidcErrors } from '../src/errors.js';
import { parseIdentities } from '../src/identities.js';
import { WORKLOAD_KINDS, resolveClaims } from '../src/profiles.js';
import { workloadIssuer } from '../src/workload.js';

const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'oidc.md'), 'utf8');

function rows(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of docs.split('\n')) {
    const m = /^\| `([A-Za-z_.-]+)` \|(.*)\|$/.exec(line);
    if (m?.[1]) found.set(m[1], (m[2] ?? '').split('|').map((c) => c.trim()));
  }
  return found;
}

function codeBlocks(lang: string): string[] {
  return [...docs.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

describe('docs/oidc.md', () => {
  it('documents every error code with its status, and no others', () => {
    const documented = [...rows()].filter(([code, cells]) => /^[A-Z_]+$/.test(code) && /^\d{3}$/.test(cells[0] ?? ''));
    expect(Object.fromEntries(documented.map(([code, cells]) => [code, Number(cells[0])]))).toEqual(
      Object.fromEntries(Object.entries(oidcErrors.table).map(([code, info]) => [code, info.status])),
    );
  });

  it("documents every setting of this app's own", () => {
    const table = rows();
    const common = new Set(Object.keys(commonFields({ port: 1 })));
    for (const key of Object.keys(oidcConfigSchema)) if (!common.has(key) || key === 'PORT') expect(table.has(key), key).toBe(true);
  });

  it('shows an identities file that parses and gives the subjects the kinds table promises', () => {
    const example = codeBlocks('yaml').find((block) => block.startsWith('users:'));
    const identities = parseIdentities(example ?? '');
    const subject = (name: string) => {
      const profile = identities.workloads.get(name)!;
      return resolveClaims(profile.kind, profile.claims).subject;
    };
    expect(subject('release')).toBe('repo:acme/widgets:ref:refs/tags/v1.2.3');
    expect(subject('nightly')).toBe('project_path:acme/platform/widgets:ref_type:branch:ref:main');
    expect(subject('signer')).toBe('system:serviceaccount:ci:signer');
    expect(subject('mesh')).toBe('spiffe://sigstack.test/ns/ci/sa/signer');
  });

  it('shows a Fulcio configuration naming the issuer of every workload kind', () => {
    const fulcio = parse(codeBlocks('yaml').find((block) => block.startsWith('oidc-issuers:')) ?? '') as { 'oidc-issuers': Record<string, { 'issuer-url': string }> };
    const issuers = Object.keys(fulcio['oidc-issuers']);
    const base = 'http://127.0.0.1:5556';
    expect(issuers.sort()).toEqual([base, ...WORKLOAD_KINDS.map((k) => workloadIssuer(base, k))].sort());
    for (const [url, entry] of Object.entries(fulcio['oidc-issuers'])) expect(entry['issuer-url']).toBe(url);
  });
});
