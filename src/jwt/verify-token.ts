import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { JWT_ALGORITHM } from './jwt-signing-key.js';
import type { TokenClaims, TokenPolicy } from './token-policy.js';

/** Why a token was refused; `reason` is for the log only. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
  constructor(
    readonly code: 'expired' | 'invalid',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Verifies signature (EdDSA only, by `kid` from the cluster's keys), issuer, audience, `nbf` and
 * `exp` against the injected time, with no leeway. Anything else about the token is the caller's.
 */
export async function verifyToken(keys: JWTVerifyGetKey, policy: TokenPolicy, token: string, now: number): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [JWT_ALGORITHM],
      issuer: policy.issuer,
      audience: policy.audience,
      currentDate: new Date(now),
      clockTolerance: 0,
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    });
    if (typeof payload.dom !== 'string') throw new TokenRejected('invalid', 'claims missing');
    if (payload.grant !== undefined && payload.grant !== 'token_exchange') throw new TokenRejected('invalid', 'unknown grant');
    return payload as unknown as TokenClaims;
  } catch (error) {
    if (error instanceof TokenRejected) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenRejected('expired', 'token expired');
    throw new TokenRejected('invalid', (error as { code?: string }).code ?? 'malformed token');
  }
}
