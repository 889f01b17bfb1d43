import { expect } from 'vitest';
import { TrustError } from '../src/error.js';
import type { TrustErrorCode } from '../src/error.js';

/** Runs `fn`, expects a TrustError with this code (and field, when given), returns it. */
export function expectTrustError(fn: () => unknown, code: TrustErrorCode, field?: string): TrustError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(TrustError);
  const error = thrown as TrustError;
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}
