import { toVapiError } from '../core/errors.js';

/** Why an authentication failed, in few enough words to be a metric label and an audit field. */
export type ReasonClass = 'bad_credentials' | 'locked' | 'no_credentials' | 'invalid_token' | 'not_authorized' | 'unavailable' | 'error';

/** The class of a credential check's reason text (CredentialChecker's and the token checks'). */
export function classOfReason(reason: string): ReasonClass {
  if (/locked/.test(reason)) return 'locked';
  if (/no credentials/.test(reason)) return 'no_credentials';
  if (/wrong user name or password/.test(reason)) return 'bad_credentials';
  return 'invalid_token';
}

/** The class of any failure of the authentication step. */
export function classOfFailure(error: unknown): ReasonClass {
  const vapiError = toVapiError(error);
  if (vapiError.errorType === 'SERVICE_UNAVAILABLE') return 'unavailable';
  if (vapiError.errorType === 'UNAUTHORIZED') return 'not_authorized';
  if (vapiError.errorType !== 'UNAUTHENTICATED') return 'error';
  return classOfReason(vapiError.reason ?? '');
}

/** A scheme id without its `com.vmware.vapi.std.security.` prefix: `user_pass`, `session_id`… */
export function shortScheme(scheme: string): string {
  return scheme.slice(scheme.lastIndexOf('.') + 1);
}
