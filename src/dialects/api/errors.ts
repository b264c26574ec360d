import type { FastifyReply } from 'fastify';
import { declaredErrorBody, OperationError } from '../../core/declared-errors.js';
import { httpStatus, invalidRequest, notFound, type StatusOverrides, type VapiError } from '../../core/errors.js';
import { plainErrorBody } from '../../core/error-body.js';
import type { Failure } from '../../engine/invocation.js';

/** Sends a std error the `/api` way: the bare structure, the `/api` status, the challenge as a header too. */
export function sendApiError(reply: FastifyReply, error: VapiError, overrides?: StatusOverrides): FastifyReply {
  if (error.challenge !== undefined) reply.header('www-authenticate', error.challenge);
  return reply
    .code(httpStatus(error.errorType, 'api', overrides))
    .type('application/json')
    .send(JSON.stringify(plainErrorBody(error, 'object')));
}

/** Sends a failure the `/api` way: a std error as above, an operation's declared error as its bare structure with its status. */
export function sendApiFailure(reply: FastifyReply, failure: Failure, overrides?: StatusOverrides): FastifyReply {
  if (!(failure instanceof OperationError)) return sendApiError(reply, failure, overrides);
  return reply.code(failure.declared.status).type('application/json').send(JSON.stringify(declaredErrorBody(failure, 'object')));
}

/** The body vCenter sends when no route matches (errors.md §6). */
export function httpNotFound(): VapiError {
  return notFound('com.vmware.vapi.rest.httpNotFound', 'Not found.');
}

export function malformedJson(): VapiError {
  return invalidRequest('com.vmware.vapi.rest.badRequest.malformedJson', 'The request body is not valid JSON.');
}
