import type { FastifyReply } from 'fastify';
import { OperationError } from '../../core/declared-errors.js';
import { errorId } from '../../core/errors.js';
import { t } from '../../core/types.js';
import type { Failure } from '../../engine/invocation.js';
import { encodeDataValue, encodeErrorValue } from './data-value.js';
import type { JsonRpcFailure } from './envelope.js';
import { toJsonText } from './json-text.js';

function send(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply.code(status).type('application/json').send(toJsonText({ jsonrpc: '2.0', ...body }));
}

/** A successful invocation: `result.output`, already a DataValue. */
export function sendOutput(reply: FastifyReply, id: string, output: unknown): FastifyReply {
  return send(reply, 200, { result: { output }, id });
}

/** A failed invocation: HTTP 200, the typed error (standard, or the operation's own) in `result.error`, its name in `vapi-error`. */
export function sendVapiError(reply: FastifyReply, id: string, error: Failure): FastifyReply {
  if (error instanceof OperationError) {
    reply.header('vapi-error', error.declared.type.name);
    return send(reply, 200, { result: { error: encodeErrorValue(error.declared.type, error.value) }, id });
  }
  reply.header('vapi-error', errorId(error.errorType));
  return send(reply, 200, { result: { error: encodeDataValue(t.error, error) }, id });
}

/** A request that is no invocation: a top-level JSON-RPC `error`. */
export function sendFailure(reply: FastifyReply, failure: JsonRpcFailure, status = 200): FastifyReply {
  return send(reply, status, { error: { code: failure.code, message: failure.message }, id: failure.id });
}
