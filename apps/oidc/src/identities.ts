import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ClaimValue, Claims, WorkloadKind } from './profiles.js';
import { ClaimsError, REGISTERED_CLAIMS, WORKLOAD_KINDS, resolveClaims } from './profiles.js';

/** A person who can log in on the login page. */
export interface DevUser {
  readonly id: string;
  readonly email: string;
  readonly name: string | undefined;
  /** When set, the login page asks for it; dev users usually have none. */
  readonly password: string | undefined;
}

/** A named workload: a kind and the claims that differ from the kind's defaults. */
export interface WorkloadProfile {
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly claims: Claims;
}

export interface Identities {
  readonly users: readonly DevUser[];
  readonly workloads: ReadonlyMap<string, WorkloadProfile>;
}

/** Every problem in an identities file at once. */
export class IdentitiesError extends Error {
  readonly code = 'IDENTITIES_INVALID';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`invalid identities in ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'IdentitiesError';
    this.problems = problems;
  }
}

/** What runs without an identities file: two people and one profile of every kind. */
export const DEFAULT_IDENTITIES_TEXT = `
users:
  - id: alice
    email: alice@example.com
    name: Alice Developer
  - id: bob
    email: bob@example.com
    name: Bob Maintainer
workloads:
  github-actions: { kind: github-actions }
  gitlab-ci: { kind: gitlab-ci }
  buildkite: { kind: buildkite }
  kubernetes: { kind: kubernetes }
  spiffe: { kind: spiffe }
`;

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USER_KEYS = new Set(['id', 'email', 'name', 'password']);
const WORKLOAD_KEYS = new Set(['kind', 'claims']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isClaimValue(value: unknown, depth = 0): value is ClaimValue {
  if (depth > 8) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isClaimValue(v, depth + 1));
  return isRecord(value) && Object.values(value).every((v) => isClaimValue(v, depth + 1));
}

/** Check claim overrides (from a file or a request): JSON values, no registered claims. */
export function claimProblems(claims: unknown, where: string): string[] {
  if (!isRecord(claims)) return [`${where} must be a mapping of claim names to values`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(claims)) {
    if (REGISTERED_CLAIMS.has(key)) problems.push(`${where}.${key}: is set by the server and cannot be configured`);
    else if (!isClaimValue(value)) problems.push(`${where}.${key}: must be a JSON value`);
  }
  return problems;
}

function parseUsers(raw: unknown, problems: string[]): DevUser[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push('users must be a list');
    return [];
  }
  const users: DevUser[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const at = `users[${i}]`;
    if (!isRecord(entry)) return void problems.push(`${at} must be a mapping`);
    for (const key of Object.keys(entry)) if (!USER_KEYS.has(key)) problems.push(`${at}.${key}: unknown field`);
    const { id, email, name, password } = entry;
    if (typeof id !== 'string' || !NAME.test(id)) return void problems.push(`${at}.id must match ${NAME.source}`);
    if (seen.has(id)) return void problems.push(`${at}.id: ${id} is listed twice`);
    seen.add(id);
    if (typeof email !== 'string' || !EMAIL.test(email)) return void problems.push(`${at}.email must be an email address`);
    if (name !== undefined && typeof name !== 'string') return void problems.push(`${at}.name must be a string`);
    if (password !== undefined && (typeof password !== 'string' || password === '')) {
      return void problems.push(`${at}.password must be a non-empty string`);
    }
    users.push({ id, email, name, password });
  });
  return users;
}

function parseWorkloads(raw: unknown, problems: string[]): Map<string, WorkloadProfile> {
  const workloads = new Map<string, WorkloadProfile>();
  if (raw === undefined) return workloads;
  if (!isRecord(raw)) {
    problems.push('workloads must be a mapping of profile names to profiles');
    return workloads;
  }
  for (const [name, entry] of Object.entries(raw)) {
    const at = `workloads.${name}`;
    if (!NAME.test(name)) {
      problems.push(`${at}: profile names must match ${NAME.source}`);
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(`${at} must be a mapping`);
      continue;
    }
    for (const key of Object.keys(entry)) if (!WORKLOAD_KEYS.has(key)) problems.push(`${at}.${key}: unknown field`);
    const kind = entry['kind'];
    if (typeof kind !== 'string' || !(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${at}.kind must be one of ${WORKLOAD_KINDS.join(', ')}`);
      continue;
    }
    const claims = entry['claims'] ?? {};
    const bad = claimProblems(claims, `${at}.claims`);
    if (bad.length > 0) {
      problems.push(...bad);
      continue;
    }
    const profile: WorkloadProfile = { name, kind: kind as WorkloadKind, claims: claims as Claims };
    try {
      resolveClaims(profile.kind, profile.claims);
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
      problems.push(`${at}.claims: ${err.message}`);
      continue;
    }
    workloads.set(name, profile);
  }
  return workloads;
}

/** Parse an identities document (YAML or JSON), strictly: unknown fields are errors. */
export function parseIdentities(text: string, source = 'identities file'): Identities {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const where = first.linePos?.[0];
    throw new IdentitiesError(source, [`not valid YAML or JSON${where ? ` (line ${where.line}, column ${where.col})` : ''}`]);
  }
  let root: unknown;
  try {
    // toJS throws for unresolved aliases and alias bombs.
    root = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch {
    throw new IdentitiesError(source, ['could not be read as YAML or JSON (unresolved or excessive aliases)']);
  }
  if (!isRecord(root)) throw new IdentitiesError(source, ['must hold a mapping with users and workloads']);
  const problems: string[] = [];
  for (const key of Object.keys(root)) if (key !== 'users' && key !== 'workloads') problems.push(`${key}: unknown section`);
  const users = parseUsers(root['users'], problems);
  const workloads = parseWorkloads(root['workloads'], problems);
  if (users.length === 0 && workloads.size === 0 && problems.length === 0) problems.push('lists no users and no workloads');
  if (problems.length > 0) throw new IdentitiesError(source, problems);
  return { users, workloads };
}

/** The identities file at `path`, or the built-in examples when there is none. */
export function loadIdentities(path: string | undefined): Identities {
  if (path === undefined) return parseIdentities(DEFAULT_IDENTITIES_TEXT, 'the built-in identities');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IdentitiesError(path, [`cannot read it (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`]);
  }
  return parseIdentities(text, path);
}
