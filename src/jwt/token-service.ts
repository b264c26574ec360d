import type { Authorizer } from '../authorization/authorizer.js';
import type { Clock } from '../core/clock.js';
import type { Principal } from '../core/principal.js';
import { SCHEMES } from '../core/schemes.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import type { LocalIdentitySource } from '../identity/identity-source.js';
import { userKey } from '../identity/user-name.js';
import type { KeyValueStore } from '../store/store.js';
import { issueToken, newJti, tokenExpiry, type IssuedToken } from './issue-token.js';
import type { KeyRing } from './key-ring.js';
import type { TokenClaims, TokenPolicy } from './token-policy.js';
import { TokenRejected, verifyToken } from './verify-token.js';
import { principalOf } from '../auth/principal-of.js';

export type LoginResult = { ok: true; issued: IssuedToken } | { ok: false; code: 'invalid_credentials' | 'not_authorized'; reason: string };

export type TokenCheck =
  | { ok: true; principal: Principal; claims: TokenClaims }
  | { ok: false; code: 'invalid' | 'expired' | 'locked' | 'not_authorized'; reason: string };

/** Only Administrators (by their own or a group permission) may hold a token (OMIVV: "only a user profile with admin privilege"). */
const TOKEN_ROLE = 'Administrator';

/**
 * JWT bearer tokens end to end: login through the shared credential check, issue, verify
 * (signature, claims, revocation, lockout, current role) and logoff (revocation until `exp`,
 * kept in the store so it holds across restarts and nodes).
 */
export class TokenService {
  constructor(
    private readonly keys: KeyRing,
    readonly policy: TokenPolicy,
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly identity: LocalIdentitySource,
    private readonly credentials: CredentialChecker,
    private readonly authorizer: Authorizer,
  ) {}

  /** The `jti` and expiry the next token will have, known before the login (to hold a place for it). */
  nextToken(): { jti: string; expiresAt: number } {
    return { jti: newJti(), expiresAt: tokenExpiry(this.policy, this.clock.now()) };
  }

  /** Password check (with lockout), then the role; a right password of a non-admin is not a failure. */
  async login(userName: string, password: string, jti?: string): Promise<LoginResult> {
    const checked = await this.credentials.check(userName, password);
    if (!checked.ok) return { ok: false, code: 'invalid_credentials', reason: checked.reason };
    const { user } = checked;
    const roles = (await this.authorizer.policy()).rolesOf({ userKey: user.key });
    if (!roles.includes(TOKEN_ROLE)) return { ok: false, code: 'not_authorized', reason: 'not an Administrator' };
    return { ok: true, issued: await issueToken(this.keys, this.policy, { name: user.name, domain: user.domain, roles }, this.clock.now(), jti) };
  }

  async check(token: string): Promise<TokenCheck> {
    const now = this.clock.now();
    let claims: TokenClaims;
    try {
      claims = await verifyToken(this.keys, this.policy, token, now);
    } catch (error) {
      if (error instanceof TokenRejected) return { ok: false, code: error.code, reason: error.reason };
      throw error;
    }
    if ((await this.kv.get(`revoked:${claims.jti}`, now)) !== undefined) return { ok: false, code: 'invalid', reason: 'token logged off' };
    const accountKey = userKey({ name: claims.sub, domain: claims.dom });
    if (await this.credentials.isLocked(accountKey)) return { ok: false, code: 'locked', reason: 'account locked' };
    const user = await this.identity.get(accountKey);
    if (!user) return { ok: false, code: 'invalid', reason: 'the token user no longer exists' };
    // The current roles, never the token's `roles` claim: a change applies to the next request.
    const policy = await this.authorizer.policy();
    if (!policy.rolesOf({ userKey: user.key }).includes(TOKEN_ROLE)) return { ok: false, code: 'not_authorized', reason: 'no longer an Administrator' };
    return {
      ok: true,
      claims,
      principal: principalOf(user, SCHEMES.oauth, { notAfter: claims.exp * 1000, authzVersion: policy.version }),
    };
  }

  /** Ends the token everywhere at once; the record lives as long as the token would have. */
  async revoke(claims: TokenClaims): Promise<void> {
    await this.kv.put(`revoked:${claims.jti}`, '1', claims.exp * 1000, this.clock.now());
  }

  jwks() {
    return this.keys.jwks();
  }
}
