import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, unexpectedInput, type VapiError } from '../../core/errors.js';
import type { ApiBinding, ResolvedOperation } from '../../core/operations.js';
import type { OperationTable } from '../../core/operation-table.js';
import { decodePlain, encodePlain } from '../../core/plain-json.js';
import type { Engine } from '../../engine/invoke.js';
import { logFailure } from '../log-failure.js';
import { apiCredentials } from './credentials.js';
import { httpNotFound, sendApiError } from './errors.js';

export const API_PREFIX = '/api';

/** Query parameters the dialect itself reads; they are never operation input. */
const RESERVED_QUERY = new Set(['action', 'vmw-task']);

type Query = Record<string, string | string[] | undefined>;

function routeKey(binding: ApiBinding): string {
  return `${binding.method} ${binding.path}`;
}

/** `/cis/tasks/{task}` → `/api/cis/tasks/:task`. */
function fastifyUrl(path: string): string {
  return API_PREFIX + path.replace(/\{(\w+)\}/g, ':$1');
}

/** The operation a request names among those that share its method and path, by `?action=`. */
function selectOperation(candidates: readonly ResolvedOperation[], query: Query): ResolvedOperation {
  const action = query.action;
  if (Array.isArray(action)) throw invalidRequest('com.vmware.vapi.rest.badRequest.action', 'Repeated "action" query param.');
  const target = candidates.find((candidate) => candidate.operation.api?.action === action);
  if (!target) throw httpNotFound();
  return target;
}

/** `vmw-task=true` asks for the task form; no operation in the table runs as a task yet. */
function checkTaskParam(query: Query): void {
  const value = query['vmw-task'];
  if (value === undefined) return;
  if (typeof value !== 'string' || value.toLowerCase() !== 'true') {
    throw invalidRequest('com.vmware.vapi.rest.badRequest.vmwTask', 'Invalid value for "vmw-task" query param', [
      String(value),
    ]);
  }
  throw httpNotFound();
}

function inputOf(request: FastifyRequest, target: ResolvedOperation): Record<string, unknown> {
  const query = request.query as Query;
  for (const name of Object.keys(query)) {
    if (!RESERVED_QUERY.has(name)) throw unexpectedInput(name);
  }
  const body = request.body === undefined ? {} : request.body;
  const merged =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>), ...(request.params as Record<string, string>) }
      : body;
  return decodePlain(target.operation.input, merged, '', 'object') as Record<string, unknown>;
}

/**
 * The `/api` dialect: one route per (method, path) in the operation table, operations sharing a
 * route told apart by `?action=`. Success bodies are bare JSON; errors the bare std error.
 */
export function registerApiDialect(app: FastifyInstance, table: OperationTable, engine: Engine): void {
  const routes = new Map<string, { binding: ApiBinding; candidates: ResolvedOperation[] }>();
  for (const resolved of table.operations()) {
    const binding = resolved.operation.api;
    if (!binding) continue;
    const route = routes.get(routeKey(binding)) ?? { binding, candidates: [] };
    route.candidates.push(resolved);
    routes.set(routeKey(binding), route);
  }

  for (const { binding, candidates } of routes.values()) {
    app.route({
      method: binding.method,
      url: fastifyUrl(binding.path),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        let target: ResolvedOperation | undefined;
        try {
          const query = request.query as Query;
          target = selectOperation(candidates, query);
          checkTaskParam(query);
          const chosen = target;
          const output = await engine.invoke({
            target: chosen,
            credentials: apiCredentials(request.headers),
            decodeInput: () => inputOf(request, chosen),
            requestId: request.id,
          });
          const { operation } = chosen;
          if (operation.output.kind === 'void') return reply.code(operation.api?.status ?? 204).send();
          return reply
            .code(operation.api?.status ?? 200)
            .type('application/json')
            .send(JSON.stringify(encodePlain(operation.output, output, 'object')));
        } catch (error) {
          const vapiError: VapiError = engine.normalize(error);
          logFailure(request, vapiError);
          return sendApiError(reply, vapiError, target?.operation.statusOverrides);
        }
      },
    });
  }
}
