import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from './key-ring.js';
import { JWT_ALGORITHM } from './key-ring.js';
import type { TokenPolicy } from './token-policy.js';

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

/** Signs a token for a user with the newest key: `sub`, `dom`, `roles`, `iat`/`nbf`, `exp`, `jti`. */
export async function issueToken(
  keys: KeyRing,
  policy: TokenPolicy,
  subject: { name: string; domain: string; roles: readonly string[] },
  now: number,
  jti = newJti(),
): Promise<IssuedToken> {
  const iat = Math.floor(now / 1000);
  const exp = tokenExpiry(policy, now) / 1000;
  const { kid, key } = await keys.signingKey();
  const token = await new SignJWT({ dom: subject.domain, roles: [...subject.roles] })
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
