import { OperationError, type DeclaredError } from '../core/declared-errors.js';
import { t } from '../core/types.js';

/** `com.vmware.oauth2.constants`: the token type URIs of RFC 8693 §3. */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  saml2: 'urn:ietf:params:oauth:token-type:saml2',
} as const;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** `com.vmware.oauth2.token_info`: what a token endpoint answers (RFC 6749 §5.1, RFC 8693 §2.2.1). */
export const tokenInfoType = t.struct('com.vmware.oauth2.token_info', {
  access_token: t.string,
  token_type: t.string,
  expires_in: t.optional(t.long),
  scope: t.optional(t.string),
  refresh_token: t.optional(t.string),
  issued_token_type: t.optional(t.string),
});

export type OAuth2ErrorName = 'invalid_request' | 'invalid_scope' | 'invalid_grant';

const errorEnum = t.enumeration('com.vmware.oauth2.errors.error.type', ['invalid_request', 'invalid_scope', 'invalid_grant']);

function errorStructure(name: OAuth2ErrorName): DeclaredError {
  return {
    type: t.struct(`com.vmware.oauth2.errors.${name}`, { error: errorEnum, error_description: t.string, error_uri: t.optional(t.string) }),
    // RFC 6749 §5.2: a token endpoint answers its errors with 400.
    status: 400,
  };
}

/** `com.vmware.oauth2.errors.*`: the errors of a token endpoint, not vAPI standard errors. */
export const OAUTH2_ERRORS: Readonly<Record<OAuth2ErrorName, DeclaredError>> = {
  invalid_request: errorStructure('invalid_request'),
  invalid_scope: errorStructure('invalid_scope'),
  invalid_grant: errorStructure('invalid_grant'),
};

/** An OAuth 2.0 error: `description` is what the client reads, `reason` (never a token) what the log gets. */
export function oauth2Error(name: OAuth2ErrorName, description: string, reason?: string): OperationError {
  return new OperationError(OAUTH2_ERRORS[name], { error: name, error_description: description }, reason);
}

/** The one answer to every subject token that is not accepted, whatever was wrong with it (the reason goes to the log). */
export function invalidSubjectToken(reason: string): OperationError {
  return oauth2Error('invalid_grant', 'The subject token is not valid.', reason);
}
