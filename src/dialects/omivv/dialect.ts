import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorRow, toVapiError, type VapiError } from '../../core/errors.js';
import type { ClientLimits } from '../../jwt/client-limits.js';
import type { LoginResult, TokenService } from '../../jwt/token-service.js';
import type { Dialect } from '../dialect.js';
import { parseBearerAuthorization } from '../bearer-auth.js';
import { logFailure } from '../log-failure.js';
import { sendOmivvError, type OmivvErrorCode } from './errors.js';
import { loginCredentials } from './login-body.js';
import type { AuditTrail } from '../../observability/audit-trail.js';
import { classOfReason } from '../../observability/reason-class.js';
import { withRequestContext } from '../../observability/request-context.js';

export const OMIVV_PREFIX = '/Spectre/api/rest/v1/Services/AuthenticationService';
const JWKS_PATHS = [`${OMIVV_PREFIX}/jwks.json`, '/.well-known/jwks.json'];

const TOKEN_ERRORS: Record<'invalid' | 'expired' | 'locked' | 'not_authorized', OmivvErrorCode> = {
  invalid: 'TOKEN_INVALID',
  expired: 'TOKEN_EXPIRED',
  locked: 'ACCOUNT_LOCKED',
  not_authorized: 'NOT_AUTHORIZED',
};

function refuse(request: FastifyRequest, reply: FastifyReply, code: OmivvErrorCode, reason: string): FastifyReply {
  request.log.info({ errorCode: code, reason, url: request.url.split('?')[0], client: request.ip }, 'request refused');
  return sendOmivvError(reply, code);
}

/** A failure below the dialect (the store, a bug) in the OMIVV form, logged with its cause. */
function fail(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const vapiError = toVapiError(error);
  logFailure(request, vapiError);
  return sendOmivvError(reply, vapiError.errorType === 'SERVICE_UNAVAILABLE' ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR');
}

/**
 * The request rates (omivv-jwt.md §6), before anything else: every request to the login paths
 * counts for its client address and for everyone, and one carrying a token also for that token.
 */
function rateLimit(limits: ClientLimits) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const waitMs = await limits.admitRequest(request.ip, parseBearerAuthorization(request.headers.authorization));
      if (waitMs === 0) return undefined;
      reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      return refuse(request, reply, 'TOO_MANY_REQUESTS', 'request rate limit reached');
    } catch (error) {
      return fail(request, reply, error);
    }
  };
}

const SCHEME = 'omivv_login';

function register(app: FastifyInstance, tokens: TokenService, limits: ClientLimits, audit: AuditTrail): void {
  const onRequest = rateLimit(limits);
  app.post(`${OMIVV_PREFIX}/login`, { onRequest }, (request, reply) => withRequestContext(request, async () => {
    try {
      const credentials = loginCredentials(request.body);
      if (!credentials) return refuse(request, reply, 'INVALID_PARAMETERS', 'login body is not {apiUserCredential:{username,domain,password}}');
      // The client limits come before the password check (§3): a place is held for the token and
      // given back if the login fails.
      const next = tokens.nextToken();
      if (!(await limits.reserve(next.jti, request.ip, next.expiresAt))) return refuse(request, reply, 'CLIENT_LIMIT_EXHAUSTED', 'client or token limit reached');
      let result: LoginResult | undefined;
      try {
        result = await tokens.login(credentials.userName, credentials.password, next.jti);
      } finally {
        if (!result?.ok) await limits.release(next.jti);
      }
      const user = { user: credentials.userName, scheme: SCHEME };
      if (!result.ok) {
        audit.record({ event: 'login.failure', ...user, reason: result.code === 'not_authorized' ? 'not_authorized' : classOfReason(result.reason) });
        return refuse(request, reply, result.code === 'not_authorized' ? 'NOT_AUTHORIZED' : 'INVALID_CREDENTIALS', result.reason);
      }
      audit.record({ event: 'login.success', ...user });
      audit.record({ event: 'jwt.issued', ...user });
      return reply.type('application/json').send(
        JSON.stringify({ accessToken: result.issued.token, tokenType: 'Bearer', expiresAt: new Date(result.issued.expiresAt).toISOString() }),
      );
    } catch (error) {
      return fail(request, reply, error);
    }
  }));

  const logoff = (request: FastifyRequest, reply: FastifyReply) => withRequestContext(request, async () => {
    try {
      const accessToken = parseBearerAuthorization(request.headers.authorization);
      if (!accessToken) return refuse(request, reply, 'AUTHORIZATION_FAILURE', 'no bearer token');
      const result = await tokens.check(accessToken);
      if (!result.ok) return refuse(request, reply, TOKEN_ERRORS[result.code], result.reason);
      await tokens.revoke(result.claims);
      await limits.release(result.claims.jti);
      audit.record({ event: 'jwt.logoff', user: result.claims.sub, domain: result.claims.dom, scheme: SCHEME });
      return reply.type('text/plain').send('Logged off successfully');
    } catch (error) {
      return fail(request, reply, error);
    }
  });
  app.post(`${OMIVV_PREFIX}/logoff`, { onRequest }, logoff);
  app.post(`${OMIVV_PREFIX}/logout`, { onRequest }, logoff);

  for (const path of JWKS_PATHS) {
    app.get(path, async (request, reply) => {
      try {
        return reply.type('application/json').header('cache-control', 'max-age=300').send(JSON.stringify(await tokens.jwks()));
      } catch (error) {
        return fail(request, reply, error);
      }
    });
  }
  for (const path of ['login', 'logoff', 'logout'].map((name) => `${OMIVV_PREFIX}/${name}`)) {
    app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: path, onRequest, handler: async (_request, reply) => sendOmivvError(reply, 'METHOD_NOT_ALLOWED') });
  }
}

/** Pre-route failures (body parsing, size, media type) in the OMIVV form. */
function sendError(reply: FastifyReply, error: VapiError, status?: number): FastifyReply {
  if (status === 415) return sendOmivvError(reply, 'UNSUPPORTED_MEDIA_TYPE');
  if (status === 413) return sendOmivvError(reply, 'REQUEST_TOO_LARGE');
  if (errorRow(error.errorType).api < 500) return sendOmivvError(reply, 'INVALID_PARAMETERS');
  return sendOmivvError(reply, error.errorType === 'SERVICE_UNAVAILABLE' ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR');
}

/**
 * The OMIVV-style login: `…/AuthenticationService/login`, `logoff` (and `logout`), and the JWKS
 * of the signing keys. Paths are case-sensitive, as documented; the client limits and request
 * rates apply to the login paths.
 */
export function omivvDialect(tokens: TokenService, limits: ClientLimits, audit: AuditTrail): Dialect {
  return {
    name: 'omivv',
    // Routes match case-sensitively (as documented); a miscased path still gets this dialect's 404.
    owns: (_method, path) => path.toLowerCase().startsWith('/spectre/') || JWKS_PATHS.includes(path),
    register: (app) => register(app, tokens, limits, audit),
    sendError,
    sendNotFound: (reply) => sendOmivvError(reply, 'NOT_FOUND'),
  };
}
