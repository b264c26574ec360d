import type { FastifyRequest } from 'fastify';
import { OperationError } from '../core/declared-errors.js';
import { errorRow, type VapiError } from '../core/errors.js';
import type { Failure } from '../engine/invocation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The vAPI operation a request named (`service.operation`), once parsed: a metric label. */
    operation?: string;
    /** The failure a request was answered with, once logged: the metrics tell store failures apart. */
    failure?: VapiError;
  }
}

/**
 * Logs a failed request: server faults with their cause at error level, credential and
 * permission failures with their internal reason at info, as are an operation's own errors (a
 * refused token exchange). Never a credential or token.
 */
export function logFailure(request: FastifyRequest, error: Failure): void {
  if (error instanceof OperationError) {
    request.log.info({ error: error.declared.type.name, reason: error.reason, url: request.url.split('?')[0], client: request.ip }, 'request refused');
    return;
  }
  const status = errorRow(error.errorType).api;
  request.failure = error;
  const entry = { errorType: error.errorType, reason: error.reason, url: request.url.split('?')[0], client: request.ip };
  if (status >= 500) request.log.error({ ...entry, err: error.cause ?? error }, 'request failed');
  else if (status === 401 || status === 403) request.log.info(entry, 'request refused');
  else request.log.debug(entry, 'request rejected');
}
