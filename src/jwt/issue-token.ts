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

/** Signs a token for a user with the newest key: `sub`, `dom`, `roles`, `iat`/`nbf`, `exp`, a 128-bit `jti`. */
export async function issueToken(
  keys: KeyRing,
  policy: TokenPolicy,
  subject: { name: string; domain: string; roles: readonly string[] },
  now: number,
): Promise<IssuedToken> {
  const iat = Math.floor(now / 1000);
  const exp = iat + Math.floor(policy.lifetimeMs / 1000);
  const jti = randomBytes(16).toString('base64url');
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
