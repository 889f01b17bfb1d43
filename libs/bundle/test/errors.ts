import { BundleError } from '../src/index.js';

/** Runs fn and returns the BundleError it throws as {code, field}; anything else fails the test. */
export function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a BundleError');
}
