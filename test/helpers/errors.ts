/**
 * Runs `fn` and returns the ChaosError it throws (a refusal, a usage error); fails the test if it returns.
 */
import type { ChaosError } from '../../src/core/errors.js';

export function thrownBy(fn: () => unknown): ChaosError {
  try {
    fn();
  } catch (e) {
    return e as ChaosError;
  }
  throw new Error('expected an error to be thrown');
}
