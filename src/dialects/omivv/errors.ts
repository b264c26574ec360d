import type { FastifyReply } from 'fastify';

/** The OMIVV error codes (omivv-jwt.md §5), with their status and fixed message. */
export const OMIVV_ERRORS = {
  INVALID_PARAMETERS: [400, 'Invalid parameters'],
  INVALID_CREDENTIALS: [401, 'Invalid username or password'],
  ACCOUNT_LOCKED: [401, 'Account is temporarily locked. Try again later.'],
  AUTHORIZATION_FAILURE: [401, 'Authorization failure'],
  TOKEN_INVALID: [401, 'Invalid token'],
  TOKEN_EXPIRED: [401, 'Token is already expired'],
  NOT_AUTHORIZED: [403, 'Only administrators may use the API'],
  NOT_FOUND: [404, 'Not found'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  REQUEST_TOO_LARGE: [413, 'Request body is too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Request body must be application/json'],
  TOO_MANY_REQUESTS: [429, 'Too many requests'],
  INTERNAL_ERROR: [500, 'Internal server error'],
  SERVICE_UNAVAILABLE: [503, 'Service unavailable'],
  CLIENT_LIMIT_EXHAUSTED: [503, 'Client limit exhausted.'],
} as const satisfies Record<string, readonly [number, string]>;

export type OmivvErrorCode = keyof typeof OMIVV_ERRORS;

/** `{"errorCode": …, "message": …}` with its status; every 401 also names the Bearer challenge. */
export function sendOmivvError(reply: FastifyReply, code: OmivvErrorCode): FastifyReply {
  const [status, message] = OMIVV_ERRORS[code];
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="OMIVV"');
  return reply.code(status).type('application/json').send(JSON.stringify({ errorCode: code, message }));
}
