/** Stable codes of the log store's errors; services map them to HTTP statuses in one place. */
export type LogStoreErrorCode =
  /** The write queue is full: answer 503 with Retry-After and let the client try again. */
  | 'OVERLOADED'
  /** The store is closing or closed; no new writes are taken. */
  | 'CLOSED'
  /** An index, size or range outside the tree (client error). */
  | 'OUT_OF_RANGE'
  /** The database holds something the store did not write (a fork, a corrupt tile). Fatal. */
  | 'INCONSISTENT'
  /** The database could not be reached or a statement failed. */
  | 'STORAGE'
  /** Bad options given by the embedding service. */
  | 'INVALID_CONFIG';

export class LogStoreError extends Error {
  override readonly name = 'LogStoreError';
  constructor(
    readonly code: LogStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of an underlying error, for wrapping. Drivers do not put credentials in theirs. */
export function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
