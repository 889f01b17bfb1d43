import { BundleError } from './error.js';
import { decodeBase64, decodeHex } from './encoding.js';

export type JsonObject = Record<string, unknown>;

const INT64_MAX = (1n << 63n) - 1n;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses JSON text (or UTF-8 bytes of it); anything else is INVALID_JSON at the root. */
export function parseJsonText(input: string | Uint8Array): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = UTF8.decode(input);
    } catch (cause) {
      throw new BundleError('INVALID_JSON', '', 'input is not UTF-8', { cause });
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BundleError('INVALID_JSON', '', 'input is not JSON', { cause });
  }
}

export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object being read at a known path. Every accessor names the field in
 * the error it throws, so a refusal always says where the input went wrong.
 */
export class Fields {
  private constructor(
    readonly value: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Fields {
    if (!isJsonObject(value)) {
      throw new BundleError('INVALID_FIELD', path, 'expected a JSON object');
    }
    return new Fields(value, path);
  }

  /** Refuses any member not in `allowed` (fail closed on fields we do not understand). */
  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) {
        throw new BundleError('UNKNOWN_FIELD', joinPath(this.path, key), 'unknown field');
      }
    }
    return this;
  }

  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** True when the member is present. An explicit null is refused, not treated as absent. */
  has(key: string): boolean {
    if (!Object.hasOwn(this.value, key) || this.value[key] === undefined) return false;
    if (this.value[key] === null) {
      throw new BundleError('INVALID_FIELD', this.at(key), 'null is not allowed');
    }
    return true;
  }

  raw(key: string): unknown {
    if (!this.has(key)) {
      throw new BundleError('MISSING_FIELD', this.at(key), 'required field is missing');
    }
    return this.value[key];
  }

  object(key: string): Fields {
    return Fields.of(this.raw(key), this.at(key));
  }

  optionalObject(key: string): Fields | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  string(key: string, opts: { nonEmpty?: boolean } = {}): string {
    const value = this.raw(key);
    if (typeof value !== 'string') {
      throw new BundleError('INVALID_FIELD', this.at(key), 'expected a string');
    }
    if (opts.nonEmpty === true && value === '') {
      throw new BundleError('INVALID_FIELD', this.at(key), 'must not be empty');
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** A protobuf `bytes` field: canonical standard base64, never empty when required. */
  base64(key: string): Buffer {
    return base64Value(this.raw(key), this.at(key));
  }

  hex(key: string): Buffer {
    const bytes = decodeHex(this.string(key), this.at(key));
    if (bytes.length === 0) {
      throw new BundleError('INVALID_FIELD', this.at(key), 'must not be empty');
    }
    return bytes;
  }

  /**
   * A non-negative protobuf int64, spelled as a decimal string. Proto3 JSON
   * omits zero values, so an absent member reads as "0" unless required.
   */
  uint64String(key: string, opts: { required?: boolean } = {}): string {
    if (!this.has(key)) {
      if (opts.required === true) return this.string(key);
      return '0';
    }
    const value = this.string(key);
    if (/^-[0-9]+$/.test(value)) {
      throw new BundleError('INVALID_FIELD', this.at(key), 'must not be negative');
    }
    if (!/^(?:0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > INT64_MAX) {
      throw new BundleError('INVALID_FIELD', this.at(key), 'expected a decimal int64 string');
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.string(key);
    if (!(allowed as readonly string[]).includes(value)) {
      throw new BundleError('INVALID_FIELD', this.at(key), `unsupported value ${JSON.stringify(value.slice(0, 64))}`);
    }
    return value as T;
  }

  /** Elements of an array member with their paths; `min` enforces a minimum length. */
  array(key: string, opts: { min?: number } = {}): { value: unknown; path: string }[] {
    const value = this.raw(key);
    if (!Array.isArray(value)) {
      throw new BundleError('INVALID_FIELD', this.at(key), 'expected an array');
    }
    if (value.length < (opts.min ?? 0)) {
      throw new BundleError('INVALID_FIELD', this.at(key), `expected at least ${opts.min} element(s)`);
    }
    return value.map((v: unknown, i) => ({ value: v, path: `${this.at(key)}[${i}]` }));
  }

  optionalArray(key: string, opts: { min?: number } = {}): { value: unknown; path: string }[] {
    return this.has(key) ? this.array(key, opts) : [];
  }

  /** Exactly one of `keys` must be present; returns the one that is. */
  exactlyOne<T extends string>(keys: readonly T[], what: string): T {
    const present = keys.filter((k) => this.has(k));
    const [only] = present;
    if (only === undefined) {
      throw new BundleError('MISSING_FIELD', this.at(keys.join('|')), `${what}: one of ${keys.join(', ')} is required`);
    }
    if (present.length > 1) {
      throw new BundleError('INVALID_FIELD', this.at(present[1] ?? ''), `${what}: only one of ${keys.join(', ')} is allowed`);
    }
    return only;
  }
}

/** A standalone base64 JSON value (e.g. an array element) at `path`; never empty. */
export function base64Value(value: unknown, path: string): Buffer {
  if (typeof value !== 'string') {
    throw new BundleError('INVALID_FIELD', path, 'expected a base64 string');
  }
  const bytes = decodeBase64(value, path);
  if (bytes.length === 0) {
    throw new BundleError('INVALID_FIELD', path, 'must not be empty');
  }
  return bytes;
}
