import { Secret } from './secret.js';

/** The outcome of parsing one raw setting: a value, or one sentence saying what is wrong. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/**
 * One declared setting. `parse` takes what the environment (always a string) or the
 * config file (any JSON/YAML value) holds and returns a typed value or a problem.
 */
export interface Field<T> {
  readonly kind: string;
  readonly description: string | undefined;
  /** Secret values are never echoed in problems and dump as "[redacted]". */
  readonly secret: boolean;
  /** Whether the setting may be absent (with no default it is then `undefined`). */
  readonly optional: boolean;
  /** The parsed default; when `hasDefault` is false the setting is required. */
  readonly hasDefault: boolean;
  readonly defaultValue: T | undefined;
  parse(raw: unknown): Parsed<T>;
}

interface BaseOptions<D> {
  readonly default?: D;
  readonly description?: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

function makeField<T>(kind: string, parse: (raw: unknown) => Parsed<T>, options: BaseOptions<unknown>, secret = false): Field<T> {
  let defaultValue: T | undefined;
  const hasDefault = options.default !== undefined;
  if (hasDefault) {
    // A bad default is a programming error: fail at import time, not at start-up.
    const parsed = parse(options.default);
    if (!parsed.ok) throw new TypeError(`invalid default for ${kind} setting: ${parsed.problem}`);
    defaultValue = parsed.value;
  }
  return { kind, description: options.description, secret, optional: false, hasDefault, defaultValue, parse };
}

/** A non-empty string. */
export function string(options: BaseOptions<string> = {}): Field<string> {
  return makeField(
    'string',
    (raw) => (typeof raw === 'string' && raw.length > 0 ? ok(raw) : fail('must be a non-empty string')),
    options,
  );
}

export interface IntegerOptions extends BaseOptions<number> {
  readonly min?: number;
  readonly max?: number;
}

/** A safe integer, optionally within [min, max]; the environment gives it in decimal. */
export function integer(options: IntegerOptions = {}): Field<number> {
  const { min, max } = options;
  const expected =
    min !== undefined && max !== undefined
      ? `must be an integer between ${min} and ${max}`
      : min !== undefined
        ? `must be an integer >= ${min}`
        : max !== undefined
          ? `must be an integer <= ${max}`
          : 'must be an integer';
  return makeField(
    'integer',
    (raw) => {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) return fail(expected);
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) return fail(expected);
      return ok(n);
    },
    options,
  );
}

/** true/false (the environment may also say 1/0). */
export function boolean(options: BaseOptions<boolean> = {}): Field<boolean> {
  return makeField(
    'boolean',
    (raw) => {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === '1') return ok(true);
      if (raw === 'false' || raw === '0') return ok(false);
      return fail('must be true or false');
    },
    options,
  );
}

/** One of a fixed list of strings. */
export function oneOf<const V extends string>(values: readonly V[], options: BaseOptions<NoInfer<V>> = {}): Field<V> {
  return makeField(
    'enum',
    (raw) => ((values as readonly unknown[]).includes(raw) ? ok(raw as V) : fail(`must be one of ${values.join(', ')}`)),
    options,
  );
}

export interface UrlOptions extends BaseOptions<string> {
  /** Allowed schemes, with the colon as `URL.protocol` spells them. Default http: and https:. */
  readonly protocols?: readonly string[];
}

/**
 * An absolute URL, kept as the string given (no normalisation, so apps can join paths
 * as the operator wrote them). Put URLs with credentials in a `secret()` instead.
 */
export function url(options: UrlOptions = {}): Field<string> {
  const protocols = options.protocols ?? ['http:', 'https:'];
  const expected = `must be an absolute ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL`;
  return makeField(
    'url',
    (raw) => {
      if (typeof raw !== 'string' || !URL.canParse(raw)) return fail(expected);
      return protocols.includes(new URL(raw).protocol) ? ok(raw) : fail(expected);
    },
    options,
  );
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds: a non-negative integer of ms, or units such as "250ms", "30s", "1m30s", "2h". */
export function duration(options: BaseOptions<number | string> = {}): Field<number> {
  return makeField(
    'duration',
    (raw) => {
      const problem = 'must be a duration such as 500ms, 30s, 5m or 1h (or an integer of milliseconds)';
      if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? ok(raw) : fail(problem);
      if (typeof raw !== 'string') return fail(problem);
      if (/^\d{1,15}$/.test(raw)) return ok(Number(raw));
      if (raw.length > 64 || !/^(\d+(ms|s|m|h))+$/.test(raw)) return fail(problem);
      let total = 0;
      for (const [, n, unit] of raw.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(n) * (DURATION_UNITS[unit ?? ''] ?? NaN);
      return Number.isSafeInteger(total) ? ok(total) : fail(problem);
    },
    options,
  );
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

export interface SizeOptions extends BaseOptions<number | string> {
  readonly min?: number;
}

/** A size in bytes: an integer of bytes, or units such as "512KiB", "1MiB", "10MB". */
export function size(options: SizeOptions = {}): Field<number> {
  const min = options.min ?? 0;
  const problem = `must be a size of at least ${min} bytes, such as 65536, 512KiB or 1MiB`;
  return makeField(
    'size',
    (raw) => {
      let n = NaN;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string') {
        const m = /^(\d{1,15})\s?([a-zA-Z]{1,3})?$/.exec(raw);
        const unit = SIZE_UNITS[(m?.[2] ?? 'B').toUpperCase()];
        if (m && unit !== undefined) n = Number(m[1]) * unit;
      }
      return Number.isSafeInteger(n) && n >= min ? ok(n) : fail(problem);
    },
    options,
  );
}

export interface SecretOptions {
  readonly description?: string;
  readonly minLength?: number;
}

/**
 * A secret string (password, API key, a DATABASE_URL with credentials). Secrets have
 * no default on purpose: a default secret is a shared secret.
 */
export function secret(options: SecretOptions = {}): Field<Secret> {
  const minLength = options.minLength ?? 1;
  return makeField(
    'secret',
    (raw) =>
      typeof raw === 'string' && raw.length >= minLength
        ? ok(new Secret(raw))
        : fail(minLength > 1 ? `must be a string of at least ${minLength} characters` : 'must be a non-empty string'),
    { description: options.description },
    true,
  );
}

/** Make a setting optional: absent means `undefined` instead of a "required" problem. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return { ...field, optional: true };
}
