import type { FastifyRequest } from 'fastify';
import type { PresentedCredentials } from '../../auth/credentials.js';
import { SCHEMES } from '../../core/schemes.js';
import { parseBasicAuthorization } from '../basic-auth.js';
import { parseBearerAuthorization } from '../bearer-auth.js';
import { signCredentials } from '../sign-authorization.js';

export const SESSION_HEADER = 'vmware-api-session-id';

/** Credentials of an `/api` request: the Authorization header and the session header. Cookies are never read here. */
export function apiCredentials(request: FastifyRequest): PresentedCredentials {
  const { headers } = request;
  const presented: PresentedCredentials = signCredentials(request);
  const basic = parseBasicAuthorization(headers.authorization);
  if (basic) presented[SCHEMES.userPass] = basic;
  const accessToken = parseBearerAuthorization(headers.authorization);
  if (accessToken) presented[SCHEMES.oauth] = { accessToken };
  const sessionId = headers[SESSION_HEADER];
  if (typeof sessionId === 'string' && sessionId !== '') presented[SCHEMES.sessionId] = { sessionId };
  return presented;
}
