import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, type VapiError } from '../../core/errors.js';
import { apiBindings, type ApiBinding, type ResolvedOperation } from '../../core/operations.js';
import type { OperationTable } from '../../core/operation-table.js';
import { decodePlain, encodePlain } from '../../core/plain-json.js';
import type { Engine } from '../../engine/invoke.js';
import { logFailure } from '../log-failure.js';
import { apiCredentials } from './credentials.js';
import { httpNotFound, sendApiError } from './errors.js';
import { queryInput, type Query } from './query-input.js';

export const API_PREFIX = '/api';

interface Candidate {
  resolved: ResolvedOperation;
  binding: ApiBinding;
}

/** `/cis/tasks/{task}` → `/api/cis/tasks/:task`. */
function fastifyUrl(path: string): string {
  return API_PREFIX + path.replace(/\{(\w+)\}/g, ':$1');
}

/** The operation a request names among those that share its method and path, by `?action=`. */
function selectOperation(candidates: readonly Candidate[], query: Query): Candidate {
  const action = query.action;
  if (Array.isArray(action)) throw invalidRequest('com.vmware.vapi.rest.badRequest.action', 'Repeated "action" query param.');
  const chosen = candidates.find((candidate) => candidate.binding.action === action);
  if (!chosen) throw httpNotFound();
  return chosen;
}

/**
 * Whether the request asks for the task form (`vmw-task=true`). An operation without a task form
 * is not found then, and a task-only operation is not found without it.
 */
function wantsTask(query: Query, resolved: ResolvedOperation): boolean {
  const value = query['vmw-task'];
  const taskType = resolved.operation.task ?? 'none';
  if (value === undefined) {
    if (taskType === 'task_only') throw httpNotFound();
    return false;
  }
  if (typeof value !== 'string' || value.toLowerCase() !== 'true') {
    throw invalidRequest('com.vmware.vapi.rest.badRequest.vmwTask', 'Invalid value for "vmw-task" query param', [String(value)]);
  }
  if (taskType === 'none') throw httpNotFound();
  return true;
}

/** Path variables, query parameters and body fields, decoded against the operation's input type. */
function inputOf(request: FastifyRequest, { resolved, binding }: Candidate): Record<string, unknown> {
  const { input } = resolved.operation;
  const body = request.body === undefined ? {} : request.body;
  const fromQuery = queryInput(binding, request.query as Query, input);
  const merged =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>), ...fromQuery, ...(request.params as Record<string, string>) }
      : body;
  return decodePlain(input, merged, '', 'object') as Record<string, unknown>;
}

function successStatus(candidate: Candidate): number {
  return candidate.binding.status ?? (candidate.resolved.operation.output.kind === 'void' ? 204 : 200);
}

/**
 * The `/api` dialect: one route per (method, path) bound in the operation table, operations sharing
 * a route told apart by `?action=`. Success bodies are bare JSON; errors the bare std error.
 */
export function registerApiDialect(app: FastifyInstance, table: OperationTable, engine: Engine): void {
  const routes = new Map<string, Candidate[]>();
  for (const resolved of table.operations()) {
    for (const binding of apiBindings(resolved.operation)) {
      const key = `${binding.method} ${binding.path}`;
      routes.set(key, [...(routes.get(key) ?? []), { resolved, binding }]);
    }
  }

  for (const candidates of routes.values()) {
    const { method, path } = candidates[0]!.binding;
    app.route({
      method,
      url: fastifyUrl(path),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        let chosen: Candidate | undefined;
        try {
          const query = request.query as Query;
          chosen = selectOperation(candidates, query);
          const candidate = chosen;
          const asTask = wantsTask(query, candidate.resolved);
          const output = await engine.invoke({
            target: candidate.resolved,
            credentials: apiCredentials(request),
            decodeInput: () => inputOf(request, candidate),
            requestId: request.id,
            asTask,
          });
          if (asTask) return reply.code(202).type('application/json').send(JSON.stringify(output));
          const { operation } = candidate.resolved;
          if (operation.output.kind === 'void') return reply.code(successStatus(candidate)).send();
          return reply
            .code(successStatus(candidate))
            .type('application/json')
            .send(JSON.stringify(encodePlain(operation.output, output, 'object')));
        } catch (error) {
          const vapiError: VapiError = engine.normalize(error);
          logFailure(request, vapiError);
          return sendApiError(reply, vapiError, chosen?.resolved.operation.statusOverrides);
        }
      },
    });
  }
}
