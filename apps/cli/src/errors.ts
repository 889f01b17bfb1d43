// The one error class of the CLI. Every failure ends as one line on stderr and an exit code
// from EXIT_CODES; scripts branch on the code, people read the line. docs/cli.md lists them.
import { BundleError } from '@sigstack/bundle';
import { CryptoError } from '@sigstack/crypto';
import { TrustError } from '@sigstack/trust';
import { VerificationError } from '@sigstack/verify';
import { X509Error } from '@sigstack/x509';

export type CliErrorCode =
  | 'VERIFICATION_FAILED' // a check of verify-blob / verify-bundle failed (the line names it)
  | 'USAGE' // unknown command or flag, a missing or conflicting flag
  | 'INPUT' // a file is missing or malformed (bundle, key, certificate, trust file, predicate)
  | 'TRUST' // no usable trusted root or signing config (TUF refresh failed, expired, not initialised)
  | 'SERVICE' // Fulcio, Rekor, the TSA or the OIDC provider refused or could not be reached
  | 'AUTH' // no identity token could be obtained, or a key password is wrong
  | 'NO_TERMINAL' // a prompt was needed (password, confirmation) but stdin is not a terminal
  | 'CANCELLED' // the user answered no at a prompt
  | 'INTERNAL'; // a bug: please report it

export const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = {
  VERIFICATION_FAILED: 1,
  USAGE: 2,
  INPUT: 3,
  TRUST: 4,
  SERVICE: 5,
  AUTH: 6,
  NO_TERMINAL: 7,
  CANCELLED: 8,
  INTERNAL: 70,
};

export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
  }
}

export const usage = (message: string): CliError => new CliError('USAGE', message);

/** Maps any error to a CliError: library errors keep their code in the line. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof VerificationError) return new CliError('VERIFICATION_FAILED', `${error.code}: ${error.message}`, { cause: error });
  if (error instanceof BundleError) return new CliError('INPUT', `invalid bundle: ${error.code}: ${error.message}`, { cause: error });
  if (error instanceof TrustError) return new CliError('TRUST', `invalid trust material: ${error.code}: ${error.message}`, { cause: error });
  if (error instanceof CryptoError) return new CliError('INPUT', `${error.code}: ${error.message}`, { cause: error });
  if (error instanceof X509Error) return new CliError('INPUT', `${error.code}: ${error.message}`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('INTERNAL', `unexpected error: ${message}`, { cause: error });
}

/** The one line printed for an error (no stack, no newlines inside). */
export function errorLine(error: CliError): string {
  return `Error: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
}
