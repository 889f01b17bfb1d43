// The one error class of @sigstack/trust. Callers and tests branch on `code`, never on the
// message; codes are stable and never reused for a different meaning.
export type TrustErrorCode =
  | 'INVALID_JSON' // the input is not JSON text (or not UTF-8)
  | 'UNSUPPORTED_MEDIA_TYPE' // mediaType is not one this library reads
  | 'UNKNOWN_FIELD' // a field the schema does not define (fail closed: never ignored)
  | 'MISSING_FIELD' // a required field is absent or null
  | 'INVALID_FIELD' // wrong JSON type, bad base64, unknown enum name, bad timestamp or URL
  | 'INVALID_VALIDITY' // a validity window whose start is after its end
  | 'INVALID_ARGUMENT' // a caller passed a bad lookup argument (bad Date, hint size, ...)
  | 'KEY_NOT_FOUND' // no log key with that id or hint
  | 'KEY_OUTSIDE_VALIDITY' // the key exists but its validity window excludes the time
  | 'INVALID_SELECTOR' // no or an undefined service selector, or EXACT with count 0
  | 'NO_MATCHING_SERVICE' // no service valid at the time with a supported API version
  | 'NOT_ENOUGH_SERVICES'; // EXACT asks for more services than qualify

export interface TrustErrorOptions {
  /** Path of the offending field, e.g. `tlogs[1].publicKey.validFor.start`. */
  field?: string;
  cause?: unknown;
}

export class TrustError extends Error {
  readonly code: TrustErrorCode;
  readonly field: string | undefined;

  constructor(code: TrustErrorCode, message: string, options: TrustErrorOptions = {}) {
    super(options.field === undefined ? message : `${options.field}: ${message}`, { cause: options.cause });
    this.name = 'TrustError';
    this.code = code;
    this.field = options.field;
  }
}
