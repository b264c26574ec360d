import type { Authorizer } from '../authorization/authorizer.js';
import type { Clock } from '../core/clock.js';
import { BoundedMap } from '../core/bounded-map.js';
import { sha256Hex } from '../core/secrets.js';
import type { Principal } from '../core/principal.js';
import { SCHEMES } from '../core/schemes.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import type { GroupRefresh } from '../directory/group-refresh.js';
import { isDirectoryAccount, type Account, type DirectoryAccount } from '../identity/account.js';
import type { IdentitySources } from '../identity/identity-sources.js';
import { userKey } from '../identity/user-name.js';
import type { KeyValueStore } from '../store/store.js';
import { issueToken, newJti, tokenExpiry, type IssuedToken } from './issue-token.js';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { KeySnapshot } from '../keys/cluster-keys.js';
import type { PublishedSigningKey } from '../keys/published-signing-key.js';
import type { JwtKey } from './jwt-signing-key.js';
import type { TokenClaims, TokenPolicy } from './token-policy.js';
import { TokenRejected, verifyToken } from './verify-token.js';
import { principalOf } from '../auth/principal-of.js';

export type LoginResult = { ok: true; issued: IssuedToken } | { ok: false; code: 'invalid_credentials' | 'not_authorized'; reason: string };

export type TokenCheck =
  | { ok: true; principal: Principal; claims: TokenClaims }
  | { ok: false; code: 'invalid' | 'expired' | 'locked' | 'not_authorized'; reason: string };

/** Only Administrators (by their own or a group permission) may hold a token (OMIVV: "only a user profile with admin privilege"). */
const TOKEN_ROLE = 'Administrator';

interface KeySet {
  jwks: JSONWebKeySet;
  verify: JWTVerifyGetKey;
  /**
   * Tokens whose signature these keys verified, by the SHA-256 of the token: a token is verified
   * once per snapshot, not on every request. A new snapshot (a key added or withdrawn) starts empty.
   */
  verified: BoundedMap<string, TokenClaims>;
}

/** The most verified tokens one snapshot remembers; past it, the oldest is forgotten (re-verified when it comes back, never trusted longer). */
const MAX_VERIFIED = 10_000;

/** The JWKS of a snapshot of the cluster's keys, and the key set verifying against it; made once per snapshot. */
const keySets = new WeakMap<KeySnapshot, KeySet>();

function keySetOf(snapshot: KeySnapshot): KeySet {
  let keySet = keySets.get(snapshot);
  if (!keySet) {
    const jwks = { keys: snapshot.keys.filter((key) => key.use === 'jwt').map((key) => JSON.parse(key.material) as JWK) };
    keySet = { jwks, verify: createLocalJWKSet(jwks), verified: new BoundedMap(MAX_VERIFIED) };
    keySets.set(snapshot, keySet);
  }
  return keySet;
}

/** Whether verified claims still hold at `now`: the `nbf` and `exp` checks of the verification, on whole seconds. */
function inForce(claims: TokenClaims, now: number): boolean {
  const seconds = Math.floor(now / 1000);
  return claims.nbf <= seconds && seconds < claims.exp;
}

/** The claims of a token signed by one of `keySet`'s keys, verified once per snapshot. */
async function verifiedClaims(keySet: KeySet, policy: TokenPolicy, token: string, now: number): Promise<TokenClaims> {
  const hash = sha256Hex(token);
  const known = keySet.verified.get(hash);
  if (known && inForce(known, now)) return known;
  const claims = await verifyToken(keySet.verify, policy, token, now);
  keySet.verified.set(hash, claims);
  return claims;
}

/** What a token claims before any check: its `jti` and account, in the shapes this server issues. */
interface ClaimedIdentity {
  jti?: string;
  accountKey?: string;
}

const claimedName = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The `jti` and account a token claims, before any check; what is missing or not of a shape this
 * server issues is left out, so a forged token makes the store look up nothing else.
 */
function claimedIdentity(token: string): ClaimedIdentity {
  try {
    const { jti, sub, dom } = decodeJwt(token);
    return {
      ...(typeof jti === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(jti) ? { jti } : {}),
      ...(claimedName(sub) && claimedName(dom) ? { accountKey: userKey({ name: sub, domain: dom }) } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * JWT bearer tokens end to end: login through the shared credential check, issue, verify
 * (signature by any node's published key, claims, revocation, lockout, current role) and logoff
 * (revocation until `exp`, kept in the store so it holds across restarts and nodes).
 */
export class TokenService {
  constructor(
    readonly signingKey: PublishedSigningKey<JwtKey>,
    readonly policy: TokenPolicy,
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly identity: IdentitySources,
    private readonly credentials: CredentialChecker,
    private readonly authorizer: Authorizer,
    private readonly groups: GroupRefresh,
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
    const roles = (await this.authorizer.policy()).rolesOf({ userKey: user.key, groups: user.groups });
    if (!roles.includes(TOKEN_ROLE)) return { ok: false, code: 'not_authorized', reason: 'not an Administrator' };
    return { ok: true, issued: await this.#issue(user, roles, jti) };
  }

  /**
   * A token for an account whose credential was checked elsewhere (a token exchange), whatever its
   * roles: it is marked as exchanged, and authorized by privileges where it is used, as a session is.
   */
  async issueFor(user: Account): Promise<IssuedToken> {
    return this.#issue(user, (await this.authorizer.policy()).rolesOf({ userKey: user.key, groups: user.groups }), undefined, 'token_exchange');
  }

  async #issue(user: Account, roles: readonly string[], jti?: string, grant?: TokenClaims['grant']): Promise<IssuedToken> {
    const subject = { name: user.name, domain: user.domain, roles, ...(grant ? { grant } : {}) };
    const issued = await issueToken(this.signingKey, this.policy, subject, this.clock.now(), jti);
    if (isDirectoryAccount(user)) await this.#keepDirectoryAccount(user);
    return issued;
  }

  async check(token: string): Promise<TokenCheck> {
    const now = this.clock.now();
    // Everything a check reads from the store is read at once: the cluster's keys, the authorization
    // version, and the token's revocation record, its account's lock and its account, looked up by
    // what the token claims (one round trip to a remote store, one change check of an embedded one).
    // Those three are used only once the signature has shown the claims to be the token's own.
    const claimed = claimedIdentity(token);
    const [snapshot, revoked, policy, locked, stored] = await Promise.all([
      this.signingKey.cluster.snapshot(now),
      claimed.jti === undefined ? undefined : this.kv.get(`revoked:${claimed.jti}`, now),
      this.authorizer.policy(),
      claimed.accountKey === undefined ? false : this.credentials.isLocked(claimed.accountKey),
      claimed.accountKey === undefined ? undefined : this.#storedAccount(claimed.accountKey, now),
    ]);
    let claims: TokenClaims;
    try {
      claims = await verifiedClaims(keySetOf(snapshot), this.policy, token, now);
    } catch (error) {
      if (error instanceof TokenRejected) return { ok: false, code: error.code, reason: error.reason };
      throw error;
    }
    if (revoked !== undefined) return { ok: false, code: 'invalid', reason: 'token logged off' };
    // The verified claims are the payload read above, so they name the account looked up.
    if (userKey({ name: claims.sub, domain: claims.dom }) !== claimed.accountKey) return { ok: false, code: 'invalid', reason: 'unexpected claims' };
    if (locked) return { ok: false, code: 'locked', reason: 'account locked' };
    const user = stored && (await this.#currentAccount(stored));
    if (!user) return { ok: false, code: 'invalid', reason: 'the token user no longer exists' };
    // The current roles (read above, with the keys), never the token's `roles` claim: a change applies to the next request.
    // An exchanged token is no OMIVV token: its privileges are checked by the engine, as for a session.
    if (claims.grant === undefined && !policy.rolesOf({ userKey: user.key, groups: user.groups }).includes(TOKEN_ROLE)) {
      return { ok: false, code: 'not_authorized', reason: 'no longer an Administrator' };
    }
    return {
      ok: true,
      claims,
      principal: principalOf(user, SCHEMES.oauth, { notAfter: claims.exp * 1000, authzVersion: policy.version }),
    };
  }

  /**
   * The stored account of `accountKey`: a local user record, or a directory user as kept at login
   * in the store (a token has no session to keep it in). Undefined for a name of no domain here.
   */
  async #storedAccount(accountKey: string, now: number): Promise<Account | undefined> {
    const qualified = this.identity.parse(accountKey);
    if (!qualified) return undefined;
    if (!this.identity.directory(qualified.domain)) return this.identity.local.get(accountKey);
    const kept = await this.kv.get(`directory-account:${accountKey}`, now);
    return kept === undefined ? undefined : (JSON.parse(kept) as DirectoryAccount);
  }

  /** The account now: a local user as stored; a directory user with its groups refreshed when due. */
  async #currentAccount(stored: Account): Promise<Account | undefined> {
    if (!isDirectoryAccount(stored)) return stored;
    const current = await this.groups.current(stored);
    if (current && current.groupsReadAt !== stored.groupsReadAt) await this.#keepDirectoryAccount(current);
    return current;
  }

  /** Keeps a directory account for as long as a token issued now lives. */
  async #keepDirectoryAccount(account: DirectoryAccount): Promise<void> {
    const now = this.clock.now();
    await this.kv.put(`directory-account:${account.key}`, JSON.stringify(account), now + this.policy.lifetimeMs, now);
  }

  /** Ends the token everywhere at once; the record lives as long as the token would have. */
  async revoke(claims: TokenClaims): Promise<void> {
    await this.kv.put(`revoked:${claims.jti}`, '1', claims.exp * 1000, this.clock.now());
  }

  /** The public keys of every node, as a JWKS document other services can verify with. */
  async jwks(): Promise<JSONWebKeySet> {
    return keySetOf(await this.signingKey.cluster.snapshot(this.clock.now())).jwks;
  }
}
