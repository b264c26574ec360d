import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PresentedCredentials } from '../../auth/credentials.js';
import { operationNotFound } from '../../core/errors.js';
import type { OperationTable } from '../../core/operation-table.js';
import { SCHEMES } from '../../core/schemes.js';
import type { Engine } from '../../engine/invoke.js';
import type { Invocation } from '../../engine/invocation.js';
import { SESSION_HEADER } from '../api/credentials.js';
import { acceptableRequestId } from '../request-id.js';
import { serveInvocation } from '../serve-invocation.js';
import { decodeDataValue, encodeDataValue } from './data-value.js';
import { JsonRpcFailure, parseEnvelope, type Envelope } from './envelope.js';
import { resolveOperation } from './operation-id.js';
import { sendFailure, sendOutput, sendVapiError } from './responses.js';
import { securityContextCredentials } from './security-context.js';

export const JSON_RPC_PATH = '/api';

const EMPTY_INPUT = { STRUCTURE: { 'operation-input': {} } };

/**
 * Credentials from the security context only, never from a cookie. A `vmware-api-session-id`
 * header replaces the security context, as the reference runtime does.
 */
function credentialsOf(envelope: Envelope, headers: IncomingHttpHeaders): PresentedCredentials {
  const sessionId = headers[SESSION_HEADER];
  if (typeof sessionId === 'string' && sessionId !== '') return { [SCHEMES.sessionId]: { sessionId } };
  return securityContextCredentials(envelope.securityCtx, envelope.request);
}

/**
 * `POST /api` as vAPI JSON-RPC 2.0: one route for every operation in the table. The body is read
 * as text, so that a parse error is answered the JSON-RPC way (-32700) by this route.
 */
export function registerJsonRpc(app: FastifyInstance, table: OperationTable, engine: Engine): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(JSON_RPC_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
      let envelope: Envelope;
      try {
        envelope = parseEnvelope(typeof request.body === 'string' ? request.body : '', request.headers);
      } catch (error) {
        if (!(error instanceof JsonRpcFailure)) throw error;
        request.log.debug({ code: error.code, url: JSON_RPC_PATH }, 'request rejected');
        return sendFailure(reply, error);
      }
      const opId = acceptableRequestId(envelope.appCtx.opId);
      if (opId !== undefined) request.log = request.log.child({ opId });
      const parse = (): Invocation => {
        const { target, form } = resolveOperation(table, envelope.serviceId, envelope.operationId);
        return {
          target,
          form,
          credentials: credentialsOf(envelope, request.headers),
          decodeInput: () => decodeDataValue(target.operation.input, envelope.input ?? EMPTY_INPUT, '') as Record<string, unknown>,
          encodeOutput: encodeDataValue,
          // The SDKs send their operation id in the application context; it names the request.
          requestId: opId ?? request.id,
          clientAddress: request.ip,
        };
      };
      return serveInvocation(engine, request, reply, parse, (response, outcome) => {
        switch (outcome.kind) {
          case 'success':
            return sendOutput(response, envelope.id, outcome.body);
          case 'failure':
            return sendVapiError(response, envelope.id, outcome.error);
          case 'no_route':
            return sendVapiError(response, envelope.id, operationNotFound(envelope.serviceId, envelope.operationId));
        }
      });
    });
  });
}
