/** Stable codes of dev-token failures; both the CLI and the launcher print them as one line. */
export type DevTokenErrorCode =
  /** No stack answers for this state folder, or it never started there. */
  | 'NOT_RUNNING'
  /** stack.json is damaged or lacks what a token needs. */
  | 'BAD_STATE'
  /** The dev OIDC provider refused to mint a token (unknown profile or user, bad secret). */
  | 'TOKEN_FAILED';

export class DevTokenError extends Error {
  override readonly name = 'DevTokenError';

  constructor(
    readonly code: DevTokenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
