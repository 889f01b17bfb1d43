// Flag parsing over node:util parseArgs, with cosign's spellings: `--flag value`,
// `--flag=value`, `--bool=false`, repeated flags for lists. Errors are one USAGE line.
import { parseArgs } from 'node:util';
import { usage } from './errors.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface Parsed {
  readonly strings: ReadonlyMap<string, string[]>;
  readonly booleans: ReadonlyMap<string, boolean>;
  readonly positionals: readonly string[];
}

/** Parses argv for one command: unknown flags, missing values and extra positionals are USAGE errors. */
export function parseFlags(command: string, argv: readonly string[], specs: FlagSpecs): Parsed {
  // parseArgs has no `--bool=false`; cosign users write it (e.g. --tlog-upload=false).
  const explicit = new Map<string, boolean>();
  const args: string[] = [];
  for (const arg of argv) {
    const m = /^--([a-z0-9-]+)=(true|false)$/.exec(arg);
    const spec = m ? specs[m[1] as string] : undefined;
    if (m && spec?.type === 'boolean') explicit.set(m[1] as string, m[2] === 'true');
    else args.push(arg);
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, multiple: true, ...(spec.short ? { short: spec.short } : {}) };
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true }));
  } catch (error) {
    throw usage(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
  const strings = new Map<string, string[]>();
  const booleans = new Map<string, boolean>();
  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name] as unknown[] | undefined;
    if (spec.type === 'string') {
      const list = (v ?? []) as string[];
      if (list.length > 1 && !spec.multiple) throw usage(`${command}: --${name} given more than once`);
      if (list.length > 0) strings.set(name, list);
    } else {
      booleans.set(name, explicit.get(name) ?? (v !== undefined && v.length > 0 ? true : (spec.default ?? false)));
    }
  }
  return { strings, booleans, positionals };
}

export const str = (p: Parsed, name: string): string | undefined => p.strings.get(name)?.[0];
export const list = (p: Parsed, name: string): string[] => p.strings.get(name) ?? [];
export const bool = (p: Parsed, name: string): boolean => p.booleans.get(name) ?? false;

export function required(p: Parsed, command: string, name: string): string {
  const value = str(p, name);
  if (value === undefined || value === '') throw usage(`${command}: --${name} is required`);
  return value;
}

/** Exactly `count` positional arguments, named in the message. */
export function positionals(p: Parsed, command: string, names: readonly string[]): string[] {
  if (p.positionals.length !== names.length) {
    throw usage(`${command}: expected ${names.length === 0 ? 'no arguments' : names.join(' ')}, got ${p.positionals.length} argument(s)`);
  }
  return [...p.positionals];
}
