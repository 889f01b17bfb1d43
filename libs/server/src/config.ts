import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { Field } from './fields.js';
import { REDACTED } from './secret.js';

/** A declared set of settings, keyed by their environment variable name. */
export type Schema = Readonly<Record<string, Field<unknown>>>;

/** The typed configuration a schema produces. */
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Where a bad value came from, so an operator knows which one to fix. */
export type ConfigSource = 'env' | 'file' | 'default';

export interface ConfigProblem {
  readonly key: string;
  readonly source: ConfigSource;
  /** One line, e.g. `PORT: must be an integer between 0 and 65535 (got "abc")`. */
  readonly message: string;
}

/** Every problem found in the configuration at once, so one restart fixes them all. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const n = problems.length;
    super(`invalid configuration (${n} problem${n === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ParseConfigInput {
  /** Environment variables; unrelated ones are ignored, and empty ones count as unset. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The config file's text (JSON or YAML) and its name for messages. */
  readonly fileText?: string;
  readonly fileName?: string;
}

/** The key under which problems with the config file itself are reported. */
const FILE_KEY = 'CONFIG_FILE';

function show(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = Object.prototype.toString.call(raw);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Parse a config file. YAML is a superset of JSON, so one parser reads both; the yaml
 * parser also rejects duplicate keys, which JSON.parse would silently accept. Parse
 * errors report the position only: their code frames would quote the file, secrets included.
 */
function parseFile(text: string, name: string): { values?: Record<string, unknown>; problem?: string } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const where = first.linePos?.[0];
    return { problem: `${name} is not valid JSON or YAML${where ? ` (line ${where.line}, column ${where.col})` : ''}` };
  }
  let values: unknown;
  try {
    values = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return { problem: `${name} could not be read as JSON or YAML` };
  }
  if (values === null || values === undefined) return { values: {} };
  if (typeof values !== 'object' || Array.isArray(values) || values instanceof Map) {
    return { problem: `${name} must hold a mapping of settings` };
  }
  return { values: values as Record<string, unknown> };
}

/**
 * Build the configuration from defaults < file < environment, checking every setting.
 * Pure (no I/O): `loadConfig` reads the file and calls this. Throws ConfigError, and only it.
 */
export function parseConfig<S extends Schema>(schema: S, input: ParseConfigInput): ConfigOf<S> {
  const env = input.env ?? {};
  const problems: ConfigProblem[] = [];
  let fileValues: Record<string, unknown> = {};
  if (input.fileText !== undefined) {
    const parsed = parseFile(input.fileText, input.fileName ?? 'config file');
    if (parsed.problem !== undefined) problems.push({ key: FILE_KEY, source: 'file', message: `${FILE_KEY}: ${parsed.problem}` });
    fileValues = parsed.values ?? {};
  }
  // Fail closed: a misspelt key in a file would otherwise silently keep the default.
  for (const key of Object.keys(fileValues)) {
    if (!Object.hasOwn(schema, key)) problems.push({ key, source: 'file', message: `${key}: unknown setting in the config file` });
  }

  const config: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const envRaw = Object.hasOwn(env, key) ? env[key] : undefined;
    let raw: unknown;
    let source: ConfigSource;
    if (envRaw !== undefined && envRaw !== '') {
      raw = envRaw;
      source = 'env';
    } else if (Object.hasOwn(fileValues, key) && fileValues[key] !== null) {
      raw = fileValues[key];
      source = 'file';
    } else if (field.hasDefault) {
      config[key] = field.defaultValue;
      continue;
    } else if (field.optional) {
      config[key] = undefined;
      continue;
    } else {
      problems.push({ key, source: 'default', message: `${key}: is required${field.description ? ` (${field.description})` : ''}` });
      continue;
    }
    const result = field.parse(raw);
    if (result.ok) config[key] = result.value;
    else problems.push({ key, source, message: `${key}: ${result.problem} (got ${field.secret ? REDACTED : show(raw)})` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}

export interface LoadConfigOptions {
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Config file path; defaults to the CONFIG_FILE environment variable, if set. */
  readonly file?: string;
}

/** Read the optional config file and the environment, validate against the schema. */
export function loadConfig<S extends Schema>(schema: S, options: LoadConfigOptions = {}): ConfigOf<S> {
  const env = options.env ?? process.env;
  const file = options.file ?? (env[FILE_KEY] || undefined);
  if (file === undefined) return parseConfig(schema, { env });
  let fileText: string;
  try {
    fileText = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ key: FILE_KEY, source: 'file', message: `${FILE_KEY}: cannot read ${file} (${reason})` }]);
  }
  return parseConfig(schema, { env, fileText, fileName: file });
}

/** A plain copy of the config fit for a log line or a `--print-config`: secrets show as "[redacted]". */
export function describeConfig<S extends Schema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const value = (config as Record<string, unknown>)[key];
    out[key] = field.secret && value !== undefined ? REDACTED : value;
  }
  return out;
}
