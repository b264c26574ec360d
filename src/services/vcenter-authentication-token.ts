import { OperationError } from '../core/declared-errors.js';
import type { ServiceDefinition } from '../core/operations.js';
import { SCHEMES } from '../core/schemes.js';
import { operationInput, t } from '../core/types.js';
import type { AuditTrail } from '../observability/audit-trail.js';
import { classOfReason } from '../observability/reason-class.js';
import { OAUTH2_ERRORS, oauth2Error, tokenInfoType } from '../token-exchange/oauth2-types.js';
import type { IssueSpec, TokenExchange } from '../token-exchange/token-exchange.js';

export const TOKEN_SERVICE_ID = 'com.vmware.vcenter.authentication.token';

const optionalText = t.optional(t.string);

/** `com.vmware.vcenter.authentication.token.issue_spec` (RFC 8693 §2.1). */
export const issueSpecType = t.struct(`${TOKEN_SERVICE_ID}.issue_spec`, {
  grant_type: t.string,
  resource: optionalText,
  audience: optionalText,
  scope: optionalText,
  requested_token_type: optionalText,
  subject_token: optionalText,
  subject_token_type: optionalText,
  actor_token: optionalText,
  actor_token_type: optionalText,
});

const AUDIT_SCHEME = 'token_exchange';

/**
 * `com.vmware.vcenter.authentication.token`: `issue`, the OAuth 2.0 token endpoint of token
 * exchange (identity.md §4). It takes no authentication — the subject token is the credential — and
 * needs no privilege: the token it issues names the subject, whose privileges every later call is
 * authorized by. Its errors are OAuth 2.0's, input mistakes included; it takes a form body on `/api`.
 */
export function vcenterAuthenticationTokenService(exchange: TokenExchange, audit: AuditTrail): ServiceDefinition {
  return {
    id: TOKEN_SERVICE_ID,
    privileges: [],
    operations: [
      {
        id: 'issue',
        input: operationInput({ spec: issueSpecType }),
        output: tokenInfoType,
        errors: ['SERVICE_UNAVAILABLE'],
        declaredErrors: Object.values(OAUTH2_ERRORS),
        inputError: (message) => oauth2Error('invalid_request', message, 'malformed request'),
        schemes: [SCHEMES.none],
        audited: true,
        issuesCredentials: true,
        api: { method: 'POST', path: '/vcenter/authentication/token', form: 'spec' },
        handler: async ({ spec }: { spec: IssueSpec }) => {
          try {
            const { info, subject, issuedType } = await exchange.issue(spec);
            audit.record({ event: 'token.exchanged', user: subject.name, domain: subject.domain, scheme: AUDIT_SCHEME, target: issuedType });
            return info;
          } catch (error) {
            if (error instanceof OperationError) {
              const name = String(error.value.error);
              audit.record({ event: 'token.exchange_refused', scheme: AUDIT_SCHEME, reason: name === 'invalid_grant' ? classOfReason(error.reason ?? '') : name });
            }
            throw error;
          }
        },
      },
    ],
  };
}
