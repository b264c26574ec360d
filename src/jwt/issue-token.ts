import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import type { PublishedSigningKey } from '../keys/published-signing-key.js';
import { JWT_ALGORITHM, type JwtKey } from './jwt-signing-key.js';
import type { TokenClaims, TokenPolicy } from './token-policy.js';

export interface IssuedToken {
  token: string;
  jti: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A fresh `jti`: 128 bits from the CSPRNG. */
export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

/** When a token issued at `now` expires (ms; `exp` is whole seconds). */
export function tokenExpiry(policy: TokenPolicy, now: number): number {
  return (Math.floor(now / 1000) + Math.floor(policy.lifetimeMs / 1000)) * 1000;
}

/**
 * Signs a token for a user with the node's key, published for every node to verify until the token
 * expires: `sub`, `dom`, `roles`, `iat`/`nbf`, `exp`, `jti`, and `grant` for an exchanged token.
 */
export async function issueToken(
  signingKey: PublishedSigningKey<JwtKey>,
  policy: TokenPolicy,
  subject: { name: string; domain: string; roles: readonly string[]; grant?: TokenClaims['grant'] },
  now: number,
  jti = newJti(),
): Promise<IssuedToken> {
  const iat = Math.floor(now / 1000);
  const exp = tokenExpiry(policy, now) / 1000;
  const { kid, privateJwk } = await signingKey.forTokenUntil(exp * 1000, now);
  const key = await importJWK(privateJwk, JWT_ALGORITHM);
  const token = await new SignJWT({ dom: subject.domain, roles: [...subject.roles], ...(subject.grant ? { grant: subject.grant } : {}) })
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT', kid })
    .setSubject(subject.name)
    .setIssuer(policy.issuer)
    .setAudience(policy.audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(key);
  return { token, jti, expiresAt: exp * 1000 };
}
