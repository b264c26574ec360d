import { verifySamlToken, type SamlAccounts, type SamlBearerPolicy } from '../auth/saml-bearer.js';
import type { Clock } from '../core/clock.js';
import { VapiError } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { Account } from '../identity/account.js';
import type { TokenService } from '../jwt/token-service.js';
import type { PublishedSigningKey } from '../keys/published-signing-key.js';
import type { TrustedIssuers } from '../keys/trusted-issuers.js';
import type { StsKey } from '../sso/sts-keys.js';
import type { StsPolicy } from '../sso/sts-service.js';
import { invalidSubjectToken, oauth2Error, TOKEN_EXCHANGE_GRANT, TOKEN_TYPES } from './oauth2-types.js';

/** `com.vmware.vcenter.authentication.token.issue_spec`, as the handler gets it (unset fields absent). */
export interface IssueSpec {
  grant_type: string;
  resource?: string;
  audience?: string;
  scope?: string;
  requested_token_type?: string;
  subject_token?: string;
  subject_token_type?: string;
  actor_token?: string;
  actor_token_type?: string;
}

/** `com.vmware.oauth2.token_info`. */
export interface TokenInfo {
  access_token: string;
  token_type: string;
  expires_in?: number;
  issued_token_type?: string;
}

/** An exchange that succeeded: the token, and whom it names (for the audit trail). */
export interface Exchanged {
  info: TokenInfo;
  subject: { name: string; domain: string };
  issuedType: 'access_token' | 'saml2';
}

export interface TokenExchangeParts {
  tokens: TokenService;
  /** How SAML subject tokens are checked: the SAML authenticators' policy, issuers and accounts. */
  saml: { policy: SamlBearerPolicy; issuers: TrustedIssuers; accounts: SamlAccounts };
  /** This node's STS, which signs the SAML tokens an access token is exchanged for; none without one. */
  sts?: { signingKey: PublishedSigningKey<StsKey>; policy: StsPolicy };
  clock: Clock;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * RFC 8693 token exchange (identity.md §4): a SAML token (bearer or holder-of-key, base64url) for
 * one of this server's JWT access tokens, and an access token for a SAML bearer token signed by the
 * STS. A subject token passes exactly the checks it passes where it authenticates a request; every
 * refusal of it is the same invalid_grant, the reason going to the log.
 */
export class TokenExchange {
  readonly #parts: TokenExchangeParts;

  constructor(parts: TokenExchangeParts) {
    this.#parts = parts;
  }

  async issue(spec: IssueSpec): Promise<Exchanged> {
    if (spec.grant_type !== TOKEN_EXCHANGE_GRANT) throw oauth2Error('invalid_request', `grant_type must be ${TOKEN_EXCHANGE_GRANT}.`, 'unsupported grant type');
    if (spec.actor_token !== undefined || spec.actor_token_type !== undefined) {
      throw oauth2Error('invalid_request', 'actor_token is not supported: a token is exchanged for its own subject only.', 'actor token given');
    }
    if (spec.subject_token === undefined || spec.subject_token === '') throw oauth2Error('invalid_request', 'subject_token is required.', 'no subject token');
    // No scopes are defined here: a token that grants less than its subject cannot be issued.
    if (spec.scope !== undefined && spec.scope.trim() !== '') throw oauth2Error('invalid_scope', 'The requested scope is not available.', 'scope given');
    switch (spec.subject_token_type) {
      case TOKEN_TYPES.saml2:
        this.#requested(spec, TOKEN_TYPES.accessToken);
        return this.#accessTokenFor(spec.subject_token);
      case TOKEN_TYPES.accessToken:
        this.#requested(spec, TOKEN_TYPES.saml2);
        return this.#samlTokenFor(spec.subject_token);
      case undefined:
        throw oauth2Error('invalid_request', 'subject_token_type is required.', 'no subject token type');
      default:
        throw oauth2Error('invalid_request', `subject_token_type is not supported: use ${TOKEN_TYPES.saml2} or ${TOKEN_TYPES.accessToken}.`, 'unsupported subject token type');
    }
  }

  /** The one token type a subject token type is exchanged for, which the request may name or leave out. */
  #requested(spec: IssueSpec, only: string): void {
    if (spec.requested_token_type !== undefined && spec.requested_token_type !== only) {
      throw oauth2Error('invalid_request', `requested_token_type must be ${only} for this subject_token_type.`, 'unsupported requested token type');
    }
  }

  /** A SAML token, checked as the SAML authenticators check it, for an access token of its subject. */
  async #accessTokenFor(subjectToken: string): Promise<Exchanged> {
    const { tokens, saml, clock } = this.#parts;
    // The exchange checks no signature over the request, so a holder-of-key token counts as a bearer
    // token here: where bearer tokens are not allowed, no SAML token is exchanged.
    if (!saml.policy.allowBearer) throw invalidSubjectToken('SAML bearer tokens are not allowed');
    // Base64 of at most the largest assertion accepted: a larger one is refused before it is decoded.
    if (!BASE64.test(subjectToken) || subjectToken.length > Math.ceil(saml.policy.maxBytes / 3) * 4) throw invalidSubjectToken('the subject token is not base64 of an assertion');
    const now = clock.now();
    const user = await this.#accountOf(Buffer.from(subjectToken, 'base64url').toString('utf8'), now);
    const issued = await tokens.issueFor(user);
    return {
      // From `iat` to `exp`, whole seconds both: the lifetime policy's.
      info: { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresAt / 1000 - Math.floor(now / 1000), issued_token_type: TOKEN_TYPES.accessToken },
      subject: user,
      issuedType: 'access_token',
    };
  }

  /** The account a SAML token names, once it passed the SAML authenticators' checks; invalid_grant when it does not. */
  async #accountOf(xml: string, now: number): Promise<Account> {
    const { saml } = this.#parts;
    try {
      return (await verifySamlToken(xml, saml.policy, saml.issuers, saml.accounts, now)).user;
    } catch (error) {
      if (error instanceof VapiError && error.errorType === 'UNAUTHENTICATED') throw invalidSubjectToken(error.reason ?? 'SAML token refused');
      throw error;
    }
  }

  /**
   * An access token, checked as the oauth scheme checks it (revocation, lockout, the account, its
   * role), for a delegable SAML bearer token of its subject, signed by this node's STS, that ends
   * within the STS's default lifetime and no later than the access token.
   */
  async #samlTokenFor(subjectToken: string): Promise<Exchanged> {
    const { tokens, sts, saml, clock } = this.#parts;
    if (!sts) throw oauth2Error('invalid_request', `This server issues no ${TOKEN_TYPES.saml2} tokens.`, 'no STS');
    const checked = await tokens.check(subjectToken);
    if (!checked.ok) throw invalidSubjectToken(`${checked.code}: ${checked.reason}`);
    const principal: Principal = checked.principal;
    const now = clock.now();
    const end = Math.min(now + sts.policy.defaultLifetimeMs, now + sts.policy.maxLifetimeMs, checked.claims.exp * 1000);
    // Published for as long as any node accepts the token: its end plus the clock tolerance.
    const keys = await sts.signingKey.forTokenUntil(end + saml.policy.clockToleranceMs, now);
    const subject = { name: principal.name, domain: principal.domain, ...(principal.groups ? { groups: principal.groups } : {}) };
    // Loaded with the first exchange for a SAML token, as the STS loads it: the XML signer costs start-up time.
    const { issueAssertion } = await import('../sso/issue-assertion.js');
    const assertion = issueAssertion(keys, sts.policy, { subject, notBefore: now, notOnOrAfter: end, delegable: true, renewals: 0 });
    return {
      info: { access_token: Buffer.from(assertion, 'utf8').toString('base64url'), token_type: 'N_A', expires_in: Math.floor((end - now) / 1000), issued_token_type: TOKEN_TYPES.saml2 },
      subject: principal,
      issuedType: 'saml2',
    };
  }
}
