import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import type { OperationTable } from '../../core/operation-table.js';
import { decodePlain, encodePlain, isPlainObject } from '../../core/plain-json.js';
import type { Engine } from '../../engine/invoke.js';
import type { Invocation, Outcome } from '../../engine/invocation.js';
import { NoRoute, serveInvocation } from '../serve-invocation.js';
import { legacyBindings, matchSegments, type LegacyBinding } from './bindings.js';
import { expiredSessionCookie, restCredentials, sessionCookie } from './credentials.js';
import { dottedQueryInput } from './dotted-query.js';
import { sendRestFailure, sendRestNotFound } from './errors.js';

export const REST_PREFIX = '/rest';
const RESERVED = new Set(['~action', 'action']);

type Query = Record<string, string | string[] | undefined>;

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

function invocationOf(request: FastifyRequest, bindings: readonly LegacyBinding[]): Invocation {
  const query = request.query as Query;
  const { binding, params } = route(bindings, request.method, segmentsOf(request.url), query);
  refuseTaskForm(query);
  return {
    target: binding.resolved,
    form: 'inline',
    credentials: restCredentials(request),
    decodeInput: () => inputOf(request, binding, params),
    encodeOutput: (type, value) => encodePlain(type, value, 'entries'),
    requestId: request.id,
    clientAddress: request.ip,
  };
}

/**
 * Success is `{"value": …}`, a void success 200 with no body. The session an operation creates or
 * ends (its declared `sessionEffect`) is also set or cleared as the session cookie, unless the
 * client asked for header-only authentication.
 */
function render(request: FastifyRequest, reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.kind === 'no_route') return sendRestNotFound(reply);
  if (outcome.kind === 'failure') return sendRestFailure(reply, outcome.error);
  const { operation } = outcome.target;
  const secure = request.protocol === 'https';
  if (operation.sessionEffect === 'created' && request.headers['vmware-use-header-authn'] === undefined) {
    reply.header('set-cookie', sessionCookie(outcome.output as string, secure));
  }
  if (operation.sessionEffect === 'ended') reply.header('set-cookie', expiredSessionCookie(secure));
  if (operation.output.kind === 'void') return reply.code(200).send();
  return reply.type('application/json').send(JSON.stringify({ value: outcome.body }));
}

/**
 * The legacy `/rest` dialect: every operation of the table by the generic rules (service id as path,
 * `id:` segments, `?~action=`), or by its custom binding. Maps are key/value lists.
 */
export function registerRestDialect(app: FastifyInstance, table: OperationTable, engine: Engine): void {
  const bindings = table.operations().flatMap(legacyBindings);
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${REST_PREFIX}/*`,
    handler: (request: FastifyRequest, reply: FastifyReply) =>
      serveInvocation(engine, request, reply, () => invocationOf(request, bindings), (response, outcome) => render(request, response, outcome)),
  });
}
