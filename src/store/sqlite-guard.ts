import { StoreUnavailableError } from '../core/errors.js';

/** Runs a synchronous SQLite step; a driver failure (locked, I/O, closed) becomes StoreUnavailableError, which clients see as 503. */
export function guarded<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(new StoreUnavailableError(error));
  }
}
