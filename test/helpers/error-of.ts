import { VapiError } from '../../src/core/errors.js';

/** The VapiError `run` throws; fails the test when it throws something else or nothing. */
export function errorOf(run: () => unknown): VapiError {
  try {
    run();
  } catch (error) {
    if (error instanceof VapiError) return error;
    throw error;
  }
  throw new Error('expected a VapiError');
}
