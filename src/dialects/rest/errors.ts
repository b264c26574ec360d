import type { FastifyReply } from 'fastify';
import { plainErrorBody } from '../../core/error-body.js';
import { errorId, httpStatus, type VapiError } from '../../core/errors.js';

/** A std error the legacy way: `{"type": <error id>, "value": <structure>}`, the `/rest` status column, maps as key/value lists. */
export function sendRestError(reply: FastifyReply, error: VapiError, status?: number): FastifyReply {
  if (error.challenge !== undefined) reply.header('www-authenticate', error.challenge);
  return reply
    .code(status ?? httpStatus(error.errorType, 'rest'))
    .type('application/json')
    .send(JSON.stringify({ type: errorId(error.errorType), value: plainErrorBody(error, 'entries') }));
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
