import type { FastifyRequest } from 'fastify';
import type { PresentedCredentials } from '../../auth/credentials.js';
import { SCHEMES } from '../../core/schemes.js';
import { apiCredentials, SESSION_HEADER } from '../api/credentials.js';
import { cookieValue } from '../cookies.js';

/**
 * Credentials of a `/rest` request: as on `/api`, plus the session cookie, which counts only when
 * no session header is present (the header wins; README decision 2).
 */
export function restCredentials(request: FastifyRequest): PresentedCredentials {
  const presented = apiCredentials(request);
  if (!presented[SCHEMES.sessionId]) {
    const sessionId = cookieValue(request.headers, SESSION_HEADER);
    if (sessionId) presented[SCHEMES.sessionId] = { sessionId };
  }
  return presented;
}

/** The session cookie a `/rest` login sets (unless the client asked for header-only authentication). */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_HEADER}=${token}; Path=/rest; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Expires the session cookie (a `/rest` logout). */
export function expiredSessionCookie(secure: boolean): string {
  return `${SESSION_HEADER}=; Path=/rest; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
