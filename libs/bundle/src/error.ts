/** Every way this library refuses input. Codes are stable: tests and callers match on them. */
export type BundleErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_FIELD'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNSUPPORTED_ENTRY_KIND'
  | 'BODY_MISMATCH';

/**
 * The one error class of @sigstack/bundle. `field` is a JSON path into the
 * document that was refused (e.g. `verificationMaterial.tlogEntries[0].logIndex`),
 * or '' when the whole document is at fault.
 */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly code: BundleErrorCode;
  readonly field: string;

  constructor(code: BundleErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(field === '' ? message : `${field}: ${message}`, options);
    this.code = code;
    this.field = field;
  }
}
