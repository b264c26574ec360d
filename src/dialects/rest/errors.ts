import type { FastifyReply } from 'fastify';
import { declaredErrorBody, OperationError } from '../../core/declared-errors.js';
import { plainErrorBody } from '../../core/error-body.js';
import { errorId, httpStatus, type VapiError } from '../../core/errors.js';
import type { Failure } from '../../engine/invocation.js';

/** A std error the legacy way: `{"type": <error id>, "value": <structure>}`, the `/rest` status column, maps as key/value lists. */
export function sendRestError(reply: FastifyReply, error: VapiError, status?: number): FastifyReply {
  if (error.challenge !== undefined) reply.header('www-authenticate', error.challenge);
  return reply
    .code(status ?? httpStatus(error.errorType, 'rest'))
    .type('application/json')
    .send(JSON.stringify({ type: errorId(error.errorType), value: plainErrorBody(error, 'entries') }));
}

/** A failure the legacy way: a std error as above, an operation's declared error in the same envelope, named by its id, with its status. */
export function sendRestFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  if (!(failure instanceof OperationError)) return sendRestError(reply, failure);
  return reply
    .code(failure.declared.status)
    .type('application/json')
    .send(JSON.stringify({ type: failure.declared.type.name, value: declaredErrorBody(failure, 'entries') }));
}

const NOT_FOUND_MESSAGE = { id: 'com.vmware.vapi.rest.httpNotFound', defaultMessage: 'Not found.' };

/** The legacy routing 404, with all five documented fields (errors.md §6). */
export function sendRestNotFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .type('application/json')
    .send(
      JSON.stringify({
        name: 'com.vmware.vapi.rest.httpNotFound',
        localizableMessages: [NOT_FOUND_MESSAGE],
        majorErrorCode: 404,
        type: 'com.vmware.vapi.std.errors.not_found',
        value: { error_type: 'NOT_FOUND', messages: [{ args: [], default_message: 'Not found.', id: 'com.vmware.vapi.rest.httpNotFound' }] },
      }),
    );
}
