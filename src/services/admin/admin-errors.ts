import { AccessError } from '../../authorization/access-control.js';
import { VapiError, type ErrorType } from '../../core/errors.js';
import { message } from '../../core/messages.js';
import { IdentityError } from '../../identity/identity-source.js';

/** The errors of an administration operation that only reads. */
export const LIST_ERRORS = ['SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'] as const;

/** The errors of a change to something named that may not exist. */
export const CHANGE_ERRORS = ['INVALID_ARGUMENT', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'] as const;

const ACCESS_ERRORS: Record<AccessError['kind'], ErrorType> = {
  usage: 'INVALID_ARGUMENT',
  missing: 'NOT_FOUND',
  exists: 'ALREADY_EXISTS',
  in_use: 'RESOURCE_IN_USE',
  system_role: 'UNSUPPORTED',
  last_administrator: 'NOT_ALLOWED_IN_CURRENT_STATE',
};

const IDENTITY_ERRORS: Record<IdentityError['kind'], ErrorType> = {
  invalid: 'INVALID_ARGUMENT',
  exists: 'ALREADY_EXISTS',
  missing: 'NOT_FOUND',
};

/**
 * Runs a change of the shared administration code (the CLI's too) and turns its refusals into the
 * standard errors; the message is the one the CLI prints.
 */
export async function asVapi<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const type = error instanceof AccessError ? ACCESS_ERRORS[error.kind] : error instanceof IdentityError ? IDENTITY_ERRORS[error.kind] : undefined;
    if (!type) throw error;
    const kind = (error as AccessError | IdentityError).kind;
    // The CLI's words as they are: they may start with a name the caller gave, which must not change case.
    throw new VapiError(type, [message(`vapi_auth.${kind}`, (error as Error).message)]);
  }
}
