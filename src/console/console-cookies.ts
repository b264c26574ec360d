import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PresentedCredentials } from '../auth/credentials.js';
import { SCHEMES } from '../core/schemes.js';
import { parseBasicAuthorization } from '../dialects/basic-auth.js';
import { cookieValue } from '../dialects/cookies.js';

/** Below this path only: the browser sends neither cookie to `/api` or `/rest`. */
export const CONSOLE_PATH = '/ui';
const SESSION_COOKIE = 'vapi-console-session';
const CSRF_COOKIE = 'vapi-console-csrf';
export const CSRF_HEADER = 'x-vapi-console-csrf';

/**
 * HttpOnly: no script reads them (the session id never reaches the page); SameSite=Strict: no other
 * site's page sends them; Secure always (browsers accept Secure cookies from http://localhost too).
 */
function setCookie(reply: FastifyReply, name: string, value: string, maxAge?: number): void {
  const attributes = `Path=${CONSOLE_PATH}; HttpOnly; Secure; SameSite=Strict${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;
  const cookie = `${name}=${value}; ${attributes}`;
  const previous = reply.getHeader('set-cookie');
  reply.header('set-cookie', previous === undefined ? cookie : [...(Array.isArray(previous) ? previous : [String(previous)]), cookie]);
}

/**
 * Credentials of a console request: its session cookie, and a password (Basic) for the login. The
 * session header and bearer tokens are not read here: the console mount is the console's session.
 */
export function consoleCredentials(request: FastifyRequest): PresentedCredentials {
  const presented: PresentedCredentials = {};
  const basic = parseBasicAuthorization(request.headers.authorization);
  if (basic) presented[SCHEMES.userPass] = basic;
  const sessionId = cookieValue(request.headers, SESSION_COOKIE);
  if (sessionId) presented[SCHEMES.sessionId] = { sessionId };
  return presented;
}

/** A console login or logout: the session goes into the cookie, or out of it; the id is never in the body. */
export function renderConsoleSession(_request: FastifyRequest, reply: FastifyReply, effect: 'created' | 'ended', output: unknown): FastifyReply {
  if (effect === 'created') {
    setCookie(reply, SESSION_COOKIE, String(output));
    return reply.code(201).send();
  }
  setCookie(reply, SESSION_COOKIE, '', 0);
  return reply.code(204).send();
}

const TOKEN = /^[0-9a-f]{64}$/;

/**
 * The CSRF token of this browser (double submit): a random value in an HttpOnly cookie, which the
 * console page learns from a same-origin answer and sends back in the `x-vapi-console-csrf` header.
 * Another site can neither read the answer nor set the header on a request to this origin.
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookieValue(request.headers, CSRF_COOKIE);
  if (existing !== undefined && TOKEN.test(existing)) return existing;
  const token = randomBytes(32).toString('hex');
  setCookie(reply, CSRF_COOKIE, token);
  return token;
}

/** Whether the request carries the header token, equal to its cookie token. */
export function hasCsrfToken(request: FastifyRequest): boolean {
  const cookie = cookieValue(request.headers, CSRF_COOKIE);
  const header = request.headers[CSRF_HEADER];
  if (cookie === undefined || typeof header !== 'string' || !TOKEN.test(cookie) || !TOKEN.test(header)) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(header));
}
