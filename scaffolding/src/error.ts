// The one error class of @sigstack/scaffolding. The CLI prints `code: message` and exits
// non-zero; callers and tests branch on `code`, never on the message.
export type ScaffoldingErrorCode =
  | 'INVALID_ARGUMENT' // a caller or command line passed something unusable
  | 'REPOSITORY_EXISTS' // init on a folder that already holds a repository (never regenerated)
  | 'REPOSITORY_NOT_FOUND' // no repository (root.json) in the folder
  | 'INVALID_METADATA' // a metadata file on disk does not parse or does not verify
  | 'KEY_FILE' // a key file is missing, unreadable, or its password is wrong
  | 'PASSWORD_REQUIRED' // an encrypted key needs a password and none was given
  | 'KEY_NOT_IN_ROLE' // a signer's key is not one the role lists
  | 'THRESHOLD_NOT_MET' // fewer valid signatures than a role's threshold
  | 'NO_PROPOSAL' // a ceremony step without a proposed root
  | 'GATHER_FAILED' // a service did not answer with usable trust material
  | 'VERIFY_FAILED' // the repository failed TUF client verification
  | 'EXPIRED' // metadata expired at the reference time
  | 'OFFLINE'; // a network URL while told to stay offline

export class ScaffoldingError extends Error {
  readonly code: ScaffoldingErrorCode;

  constructor(code: ScaffoldingErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ScaffoldingError';
    this.code = code;
  }
}
