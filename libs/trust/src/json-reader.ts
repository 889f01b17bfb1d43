import { TrustError } from './error.js';

// Strict reading of parsed JSON (attacker-controlled until a signature over it is checked
// elsewhere): every object is checked against the fields its schema allows, and every
// error names the path of the field it is about.

/** JSON text (string or UTF-8 bytes) or an already parsed JSON value, to a JSON value. */
export function toJsonValue(input: unknown): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch (cause) {
      throw new TrustError('INVALID_JSON', 'input is not valid UTF-8', { cause });
    }
  } else {
    return input;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TrustError('INVALID_JSON', 'input is not valid JSON', { cause });
  }
}

export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** One JSON object whose keys were checked against the schema's field names. */
export class ObjectReader {
  private readonly obj: Record<string, unknown>;

  constructor(
    value: unknown,
    readonly path: string,
    allowed: readonly string[],
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TrustError('INVALID_FIELD', `expected an object, got ${describe(value)}`, { field: path || '$' });
    }
    this.obj = value as Record<string, unknown>;
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) {
        throw new TrustError('UNKNOWN_FIELD', 'unknown field', { field: joinPath(path, key) });
      }
    }
  }

  fieldPath(key: string): string {
    return joinPath(this.path, key);
  }

  /** The field's value; protobuf JSON reads `null` as "not set". */
  optional(key: string): unknown {
    if (!Object.hasOwn(this.obj, key)) return undefined;
    const value = this.obj[key];
    return value === null ? undefined : value;
  }

  required(key: string): unknown {
    const value = this.optional(key);
    if (value === undefined) {
      throw new TrustError('MISSING_FIELD', 'required field is missing', { field: this.fieldPath(key) });
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.optional(key);
    if (value === undefined) return undefined;
    return expectString(value, this.fieldPath(key));
  }

  requiredString(key: string): string {
    const value = expectString(this.required(key), this.fieldPath(key));
    if (value === '') {
      throw new TrustError('MISSING_FIELD', 'required field is empty', { field: this.fieldPath(key) });
    }
    return value;
  }

  /** A repeated field: absent or null means empty, as in protobuf JSON. */
  array<T>(key: string, item: (value: unknown, path: string) => T): T[] {
    const value = this.optional(key);
    if (value === undefined) return [];
    const path = this.fieldPath(key);
    if (!Array.isArray(value)) {
      throw new TrustError('INVALID_FIELD', `expected an array, got ${describe(value)}`, { field: path });
    }
    return value.map((v, i) => item(v, `${path}[${i}]`));
  }
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new TrustError('INVALID_FIELD', `expected a string, got ${describe(value)}`, { field: path });
  }
  return value;
}

/** A protobuf uint32: JSON number that is an integer in [0, 2^32). */
export function expectUint32(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new TrustError('INVALID_FIELD', 'expected an unsigned 32-bit integer', { field: path });
  }
  return value === 0 ? 0 : value; // JSON's -0 is protobuf's 0
}
