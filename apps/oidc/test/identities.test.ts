import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentitiesError, loadIdentities, parseIdentities } from '../src/identities.js';
import { ClaimsError, WORKLOAD_KINDS, resolveClaims } from '../src/profiles.js';
import { tempDir } from './helpers.js';

function problems(text: string): readonly string[] {
  try {
    parseIdentities(text);
  } catch (err) {
    if (err instanceof IdentitiesError) return err.problems;
    throw err;
  }
  throw new Error('expected IdentitiesError');
}

describe('identities file', () => {
  it('has built-in users and one workload of every kind when no file is given', () => {
    const identities = loadIdentities(undefined);
    expect(identities.users.map((u) => u.id)).toEqual(['alice', 'bob']);
    expect([...identities.workloads.values()].map((w) => w.kind).sort()).toEqual([...WORKLOAD_KINDS].sort());
  });

  it('reads users and workload profiles from YAML or JSON', () => {
    const dir = tempDir();
    const path = join(dir, 'identities.json');
    writeFileSync(path, JSON.stringify({ users: [{ id: 'dana', email: 'dana@corp.example', password: 'pw' }], workloads: { ci: { kind: 'gitlab-ci', claims: { project_path: 'a/b' } } } }));
    const identities = loadIdentities(path);
    expect(identities.users[0]).toEqual({ id: 'dana', email: 'dana@corp.example', name: undefined, password: 'pw' });
    expect(identities.workloads.get('ci')).toEqual({ name: 'ci', kind: 'gitlab-ci', claims: { project_path: 'a/b' } });
    expect(() => loadIdentities(join(dir, 'missing.yaml'))).toThrow(IdentitiesError);
  });

  it('reports every problem at once, naming where it is', () => {
    const found = problems(`
users:
  - { id: alice, email: alice@example.com, role: admin }
  - { id: alice, email: alice@example.com }
  - { id: Bad Name, email: x@example.com }
  - { id: erin, email: not-an-email }
workloads:
  a: { kind: jenkins }
  b: { kind: github-actions, claims: { iss: https://token.actions.githubusercontent.com } }
  c: { kind: github-actions, claims: { repository: no-slash } }
  d: { kind: kubernetes, claims: { kubernetes.io: 3 } }
  e: { kind: spiffe, claims: { sub: https://example.com } }
  f: { kind: spiffe, extra: 1 }
groups: []
`);
    expect(found).toEqual(
      expect.arrayContaining([
        'groups: unknown section',
        'users[0].role: unknown field',
        'users[1].id: alice is listed twice',
        expect.stringMatching(/^users\[2\]\.id must match/),
        'users[3].email must be an email address',
        expect.stringMatching(/^workloads\.a\.kind must be one of/),
        'workloads.b.claims.iss: is set by the server and cannot be configured',
        'workloads.c.claims: claim repository must be owner/name',
        'workloads.d.claims: claim kubernetes.io must be an object',
        expect.stringMatching(/^workloads\.e\.claims: claim sub must be a SPIFFE ID/),
        'workloads.f.extra: unknown field',
      ]),
    );
    expect(problems('*!')).toEqual([expect.stringMatching(/aliases/)]);
    expect(problems('users: [')).toEqual([expect.stringMatching(/^not valid YAML or JSON/)]);
    expect(problems('{}')).toEqual(['lists no users and no workloads']);
    expect(problems('[1, 2]')).toEqual(['must hold a mapping with users and workloads']);
  });

  it('gives only IdentitiesError for any input, never another exception', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('any'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('any'), { maxKeys: 3 })),
    })).any;
    const kinds = fc.constantFrom(...WORKLOAD_KINDS, 'other');
    const profile = fc.record({ kind: kinds, claims: fc.dictionary(fc.constantFrom('repository', 'ref', 'project_path', 'ref_type', 'kubernetes.io', 'sub', 'build_tag', 'environment', 'x'), value) }, { requiredKeys: [] });
    const doc = fc.record({ users: fc.oneof(value, fc.array(fc.record({ id: value, email: value }, { requiredKeys: [] }))), workloads: fc.oneof(value, fc.dictionary(fc.string(), profile)) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(doc.map((d) => JSON.stringify(d)), fc.string()), (text) => {
        try {
          parseIdentities(text);
        } catch (err) {
          if (!(err instanceof IdentitiesError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('resolveClaims', () => {
  it('throws only ClaimsError for any claim values', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.constantFrom(...WORKLOAD_KINDS), fc.dictionary(fc.constantFrom('repository', 'ref', 'project_path', 'ref_type', 'kubernetes.io', 'sub', 'build_branch', 'organization_slug', 'environment', 'event_name'), value), (kind, claims) => {
        try {
          const { subject } = resolveClaims(kind, claims);
          expect(typeof subject).toBe('string');
        } catch (err) {
          if (!(err instanceof ClaimsError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});
