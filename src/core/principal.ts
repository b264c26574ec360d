import { SCHEMES, type SchemeId } from './schemes.js';

/** The session a request authenticated with, as the handler may see it. */
export interface SessionView {
  /** The store key (a hash of the token); the token itself never leaves the authenticator. */
  key: string;
  createdAt: number;
  lastAccessedAt: number;
}

/** Who is calling, after authentication. */
export interface Principal {
  /** Stable key of the account: lower-case `name@domain`. */
  userKey: string;
  /** The name as the account was created. */
  name: string;
  /** The identity source's domain, lower-case (`vsphere.local`). */
  domain: string;
  /** Keys (lower-case `name@domain`) of the groups the account belongs to, for group permissions. */
  groups?: readonly string[];
  /** When `groups` were read from an external identity source; present exactly for its users. */
  groupsReadAt?: number;
  /** The authorization version read with the credential (the session read), when there was one. */
  authzVersion?: number;
  /** The scheme the request authenticated with. */
  scheme: SchemeId;
  /** Present when the scheme was session_id. */
  session?: SessionView;
  /** When the credential itself ends (a token's expiry); a session created from it ends no later. */
  notAfter?: number;
  /** Who acts for the account: the solution user that obtained its token by delegation (ActAs), as the token names it. */
  actor?: string;
}

/** Who calls an operation that takes no authentication (`no_authentication`): no account, no groups, no privileges. */
export const ANONYMOUS: Principal = Object.freeze({ userKey: '', name: '', domain: '', scheme: SCHEMES.none });

/** `name@DOMAIN` with the domain upper-cased, as vCenter renders users everywhere. */
export function displayName(principal: Pick<Principal, 'name' | 'domain'>): string {
  return `${principal.name}@${principal.domain.toUpperCase()}`;
}
