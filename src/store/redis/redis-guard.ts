import { StoreUnavailableError } from '../../core/errors.js';

/** Runs `work`; a Redis failure (down, timeout, refused) becomes StoreUnavailableError, which clients see as 503. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
}
