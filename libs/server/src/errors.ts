/** What a registry of error codes says about each code. */
export interface ErrorCodeInfo {
  readonly status: number;
  /** One sentence for the docs table: when a client sees this code. */
  readonly description: string;
}

export type ErrorCodeTable = Readonly<Record<string, ErrorCodeInfo>>;

export interface ServiceErrorOptions {
  readonly cause?: unknown;
  /** Extra response headers, e.g. `retry-after` on a 503. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one error type that reaches clients as itself: its `code` and `message` are sent
 * as `{"code","message"}` with `status`. Messages are written for clients, so they must
 * not carry secrets; anything that is not a ServiceError is answered 500 INTERNAL.
 */
export class ServiceError<C extends string = string> extends Error {
  readonly code: C;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: C, status: number, message: string, options: ServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`ServiceError status must be 4xx or 5xx, got ${status}`);
    }
    this.name = 'ServiceError';
    this.code = code;
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** An app's registry of error codes: the table for docs and tests, and a typed factory. */
export interface ErrorCodes<C extends string> {
  readonly table: Readonly<Record<C, ErrorCodeInfo>>;
  create(code: C, message: string, options?: ServiceErrorOptions): ServiceError<C>;
  /** Whether `err` is a ServiceError with this code (tests assert codes, not messages). */
  is(err: unknown, code: C): err is ServiceError<C>;
}

const CODE_FORMAT = /^[A-Z][A-Z0-9_]*$/;

/** Build a registry, refusing malformed codes and any code in `reserved`. */
export function makeErrorCodes<const T extends ErrorCodeTable>(table: T, reserved: ErrorCodeTable): ErrorCodes<Extract<keyof T, string>> {
  type C = Extract<keyof T, string>;
  for (const [code, info] of Object.entries(table)) {
    if (!CODE_FORMAT.test(code)) throw new TypeError(`error code ${code} must be UPPER_SNAKE_CASE`);
    if (Object.hasOwn(reserved, code)) throw new TypeError(`error code ${code} is reserved by the server library`);
    if (!Number.isInteger(info.status) || info.status < 400 || info.status > 599) {
      throw new TypeError(`error code ${code} needs a 4xx or 5xx status, got ${info.status}`);
    }
  }
  const frozen = Object.freeze({ ...table }) as Readonly<Record<C, ErrorCodeInfo>>;
  return {
    table: frozen,
    create(code, message, options) {
      const info = frozen[code];
      return new ServiceError(code, info.status, message, options);
    },
    is(err, code): err is ServiceError<C> {
      return err instanceof ServiceError && err.code === code;
    },
  };
}
