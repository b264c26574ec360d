import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, type VapiError } from '../../core/errors.js';
import type { OperationTable } from '../../core/operation-table.js';
import { decodePlain, encodePlain, isPlainObject } from '../../core/plain-json.js';
import type { Engine } from '../../engine/invoke.js';
import { SESSION_SERVICE_ID } from '../../services/cis-session.js';
import { logFailure } from '../log-failure.js';
import { legacyBindings, matchSegments, type LegacyBinding } from './bindings.js';
import { expiredSessionCookie, restCredentials, sessionCookie } from './credentials.js';
import { dottedQueryInput } from './dotted-query.js';
import { sendRestError, sendRestNotFound } from './errors.js';

export const REST_PREFIX = '/rest';
const RESERVED = new Set(['~action', 'action']);

type Query = Record<string, string | string[] | undefined>;

class NoRoute extends Error {}

function segmentsOf(url: string): string[] {
  const path = url.split('?', 1)[0]!.slice(REST_PREFIX.length);
  try {
    return path.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
  } catch {
    throw new NoRoute();
  }
}

/** The binding a request names: method, path, and its action parameter (only that one). */
function route(bindings: readonly LegacyBinding[], method: string, segments: string[], query: Query) {
  for (const binding of bindings) {
    const verb = method === 'HEAD' ? 'GET' : method;
    if (binding.method !== verb) continue;
    const params = matchSegments(binding.segments, segments);
    if (!params) continue;
    const [name, value] = binding.action ?? [];
    const wanted = name === undefined ? query['~action'] ?? query.action : query[name];
    if (name === undefined ? wanted !== undefined : wanted !== value) continue;
    return { binding, params };
  }
  throw new NoRoute();
}

/** Task invocation is served on `/api` only (spec README decision 6). */
function refuseTaskForm(query: Query): void {
  if (query['vmw-task'] !== undefined) {
    throw invalidRequest('com.vmware.vapi.rest.badRequest.vmwTask', 'Task invocation (vmw-task) is served on /api only.');
  }
}

function inputOf(request: FastifyRequest, binding: LegacyBinding, params: Record<string, string>): Record<string, unknown> {
  const { input } = binding.resolved.operation;
  const body = request.body === undefined ? {} : request.body;
  if (!isPlainObject(body)) return decodePlain(input, body, '', 'entries') as Record<string, unknown>;
  const fromQuery = dottedQueryInput(request.query as Query, input, RESERVED);
  return decodePlain(input, { ...body, ...fromQuery, ...params }, '', 'entries') as Record<string, unknown>;
}

/**
 * The legacy `/rest` dialect: every operation of the table by the generic rules (service id as path,
 * `id:` segments, `?~action=`), or by its custom binding. Success is `{"value": …}` (maps as
 * key/value lists); a void success is 200 with no body.
 */
export function registerRestDialect(app: FastifyInstance, table: OperationTable, engine: Engine): void {
  const bindings = table.operations().flatMap(legacyBindings);
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${REST_PREFIX}/*`,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const query = request.query as Query;
        const { binding, params } = route(bindings, request.method, segmentsOf(request.url), query);
        refuseTaskForm(query);
        const output = await engine.invoke({
          target: binding.resolved,
          credentials: restCredentials(request),
          decodeInput: () => inputOf(request, binding, params),
          requestId: request.id,
        });
        const { service, operation } = binding.resolved;
        const secure = request.protocol === 'https';
        if (service.id === SESSION_SERVICE_ID && operation.id === 'create' && request.headers['vmware-use-header-authn'] === undefined) {
          reply.header('set-cookie', sessionCookie(output as string, secure));
        }
        if (service.id === SESSION_SERVICE_ID && operation.id === 'delete') reply.header('set-cookie', expiredSessionCookie(secure));
        if (operation.output.kind === 'void') return reply.code(200).send();
        return reply.type('application/json').send(JSON.stringify({ value: encodePlain(operation.output, output, 'entries') }));
      } catch (error) {
        if (error instanceof NoRoute) return sendRestNotFound(reply);
        const vapiError: VapiError = engine.normalize(error);
        logFailure(request, vapiError);
        return sendRestError(reply, vapiError);
      }
    },
  });
}
