export interface TokenPolicy {
  /** `iss` of issued tokens, and the only one accepted. */
  issuer: string;
  /** `aud` of issued tokens, and the only one accepted. */
  audience: string;
  /** Tokens expire this long after issue; use never extends them. */
  lifetimeMs: number;
}

export const DEFAULT_TOKEN_POLICY: TokenPolicy = {
  issuer: 'vapi-auth',
  audience: 'omivv-api',
  lifetimeMs: 60 * 60_000,
};

/** The claims this server puts in (and reads from) its tokens. */
export interface TokenClaims {
  /** User name, without domain. */
  sub: string;
  /** Domain, lower-case. */
  dom: string;
  /** The account's roles when the token was issued; informative only, never used to authorize. */
  roles?: string[];
  /**
   * How the token was obtained: absent for the OMIVV login, whose tokens only Administrators hold;
   * `token_exchange` for vCenter's token exchange, whose tokens are authorized by privileges as any
   * principal is (identity.md §4).
   */
  grant?: 'token_exchange';
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  iss: string;
  aud: string;
}
