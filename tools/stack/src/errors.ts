// One error class for the launcher, with stable codes. Every StackError is printed as one
// line (`sigstack-stack: CODE: message`) and never as a stack trace: the person at the
// terminal gets what went wrong and what to change.

export type StackErrorCode =
  /** A command-line flag or environment variable is unusable. */
  | 'USAGE'
  /** A port the stack needs is taken by another process. */
  | 'PORT_IN_USE'
  /** The state folder is not one this launcher made, or a file in it is damaged. */
  | 'BAD_STATE'
  /** An app has not been built (dist/main.js missing). */
  | 'NOT_BUILT'
  /** A service exited before it was ready, or never became ready. */
  | 'SERVICE_FAILED'
  /** Building or refreshing the TUF repository failed. */
  | 'TUF_FAILED'
  /** No stack is running for this state folder (dev-token). */
  | 'NOT_RUNNING'
  /** The dev OIDC provider refused to mint a token. */
  | 'TOKEN_FAILED';

export class StackError extends Error {
  override readonly name = 'StackError';

  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The one line printed for a failure. */
export function errorLine(error: unknown): string {
  if (error instanceof StackError) return `sigstack-stack: ${error.code}: ${error.message}`;
  const e = error as Error;
  return `sigstack-stack: INTERNAL: ${e?.message ?? String(error)}`;
}
