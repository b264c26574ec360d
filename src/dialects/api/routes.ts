import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, type VapiError } from '../../core/errors.js';
import { apiBindings, type ApiBinding, type ResolvedOperation } from '../../core/operations.js';
import type { OperationTable } from '../../core/operation-table.js';
import { decodePlain, encodePlain } from '../../core/plain-json.js';
import type { PresentedCredentials } from '../../auth/credentials.js';
import type { Engine } from '../../engine/invoke.js';
import type { Invocation, InvocationForm, Outcome } from '../../engine/invocation.js';
import { fromFastifyError } from '../fastify-errors.js';
import { logFailure } from '../log-failure.js';
import { NoRoute, serveInvocation } from '../serve-invocation.js';
import { apiCredentials } from './credentials.js';
import { httpNotFound, sendApiError, sendApiFailure } from './errors.js';
import { FORM_MEDIA_TYPE, FormFields, parseFormBody } from './form-body.js';
import { queryInput, type Query } from './query-input.js';

export const API_PREFIX = '/api';

/**
 * Where the `/api` dialect is served and whose credentials count there. The console serves it a
 * second time below its own path, with its cookie as the session (src/console/console-dialect.ts).
 */
export interface ApiMount {
  prefix: string;
  credentials(request: FastifyRequest): PresentedCredentials;
  /**
   * Answers the success of an operation that creates or ends the caller's session, for a mount that
   * keeps the session outside the body; absent: the session id is the body, as on `/api`.
   */
  renderSessionEffect?(request: FastifyRequest, reply: FastifyReply, effect: 'created' | 'ended', output: unknown): FastifyReply;
}

/** The `/api` dialect itself: the Authorization and session headers, never a cookie. */
export const API_MOUNT: ApiMount = { prefix: API_PREFIX, credentials: apiCredentials };

interface Candidate {
  resolved: ResolvedOperation;
  binding: ApiBinding;
}

/** `/cis/tasks/{task}` → `/api/cis/tasks/:task`. */
function fastifyUrl(prefix: string, path: string): string {
  return prefix + path.replace(/\{(\w+)\}/g, ':$1');
}

/** The operation a request names among those that share its method and path, by `?action=`. */
function selectOperation(candidates: readonly Candidate[], query: Query): Candidate {
  const action = query.action;
  if (Array.isArray(action)) throw invalidRequest('com.vmware.vapi.rest.badRequest.action', 'Repeated "action" query param.');
  const chosen = candidates.find((candidate) => candidate.binding.action === action);
  if (!chosen) throw new NoRoute();
  return chosen;
}

/** The form `vmw-task` asks for: absent is inline, `true` a task, anything else a bad request. */
function formOf(query: Query): InvocationForm {
  const value = query['vmw-task'];
  if (value === undefined) return 'inline';
  if (typeof value !== 'string' || value.toLowerCase() !== 'true') {
    throw invalidRequest('com.vmware.vapi.rest.badRequest.vmwTask', 'Invalid value for "vmw-task" query param', [String(value)]);
  }
  return 'task';
}

/** A form body: the fields of the binding's form parameter, when it names one (another operation of the same route may). */
function formInput(form: FormFields, binding: ApiBinding): Record<string, unknown> {
  if (binding.form === undefined) throw invalidRequest('com.vmware.vapi.rest.unsupportedMediaType', 'Request body must be application/json.');
  return { [binding.form]: form.fields };
}

/** Path variables, query parameters and body fields, decoded against the operation's input type. */
function inputOf(request: FastifyRequest, { resolved, binding }: Candidate): Record<string, unknown> {
  const { input } = resolved.operation;
  const body = request.body === undefined ? {} : request.body instanceof FormFields ? formInput(request.body, binding) : request.body;
  const fromQuery = queryInput(binding, request.query as Query, input);
  const merged =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>), ...fromQuery, ...(request.params as Record<string, string>) }
      : body;
  return decodePlain(input, merged, '', 'object') as Record<string, unknown>;
}

function invocationOf(request: FastifyRequest, candidate: Candidate, mount: ApiMount): Invocation {
  return {
    target: candidate.resolved,
    form: formOf(request.query as Query),
    credentials: mount.credentials(request),
    decodeInput: () => inputOf(request, candidate),
    encodeOutput: (type, value) => encodePlain(type, value, 'object'),
    requestId: request.id,
    clientAddress: request.ip,
  };
}

/** Success is bare JSON (a task: 202 and its id); errors the bare std error with the operation's status pins. */
function render(request: FastifyRequest, reply: FastifyReply, outcome: Outcome, binding: ApiBinding | undefined, mount: ApiMount): FastifyReply {
  switch (outcome.kind) {
    case 'no_route':
      return sendApiError(reply, httpNotFound());
    case 'failure':
      return sendApiFailure(reply, outcome.error, outcome.target?.operation.statusOverrides);
    case 'success': {
      if (outcome.form === 'task') return reply.code(202).type('application/json').send(JSON.stringify(outcome.body));
      const { output, sessionEffect } = outcome.target.operation;
      if (sessionEffect && mount.renderSessionEffect) return mount.renderSessionEffect(request, reply, sessionEffect, outcome.output);
      const status = binding?.status ?? (output.kind === 'void' ? 204 : 200);
      if (output.kind === 'void') return reply.code(status).send();
      return reply.code(status).type('application/json').send(JSON.stringify(outcome.body));
    }
  }
}

/** Whether a route needs a scope of its own: a form body, or failures before it runs that its operation reports its own way. */
function ownScope(candidates: readonly Candidate[]): boolean {
  return candidates.some(({ resolved, binding }) => binding.form !== undefined || resolved.operation.inputError !== undefined);
}

/**
 * A failure before the route ran (a body that cannot be read, too large, of another media type): as
 * the input error of the operation the request names, when it declares one (always 400, the status
 * of its own errors); else as the standard error.
 */
function sendUnreadBody(request: FastifyRequest, reply: FastifyReply, candidates: readonly Candidate[], thrown: unknown): FastifyReply {
  const { error, status, bodyUnread } = fromFastifyError(thrown);
  logFailure(request, error);
  if (bodyUnread) reply.header('connection', 'close');
  let chosen: Candidate | undefined;
  try {
    chosen = selectOperation(candidates, request.query as Query);
  } catch {
    chosen = undefined;
  }
  const inputError = chosen?.resolved.operation.inputError;
  if (!inputError) return sendApiError(reply, error, status === undefined ? undefined : { [error.errorType]: status });
  return sendApiFailure(reply, inputError(status === 415 ? mediaTypeMessage(chosen!) : messageOf(error)));
}

function messageOf(error: VapiError): string {
  return error.messages[0]?.default_message ?? 'The request is not valid.';
}

function mediaTypeMessage({ binding }: Candidate): string {
  return `The request body must be application/json${binding.form ? ` or ${FORM_MEDIA_TYPE}` : ''}.`;
}

/**
 * The `/api` dialect: one route per (method, path) bound in the operation table, operations sharing
 * a route told apart by `?action=`. A route whose binding takes a form body, or whose operation
 * reports input mistakes its own way, is registered in a scope of its own with those parsers and
 * that error handler.
 */
export function registerApiDialect(app: FastifyInstance, table: OperationTable, engine: Engine, mount: ApiMount = API_MOUNT): void {
  const routes = new Map<string, Candidate[]>();
  for (const resolved of table.operations()) {
    for (const binding of apiBindings(resolved.operation)) {
      const key = `${binding.method} ${binding.path}`;
      routes.set(key, [...(routes.get(key) ?? []), { resolved, binding }]);
    }
  }

  for (const candidates of routes.values()) {
    if (!ownScope(candidates)) {
      registerRoute(app, candidates, engine, mount);
      continue;
    }
    void app.register(async (scope) => {
      if (candidates.some(({ binding }) => binding.form !== undefined)) {
        scope.addContentTypeParser(FORM_MEDIA_TYPE, { parseAs: 'string' }, (request, body, done) => {
          request.rawBody = body as string;
          try {
            done(null, parseFormBody(body as string));
          } catch (error) {
            done(error as Error, undefined);
          }
        });
      }
      scope.setErrorHandler((error, request, reply) => sendUnreadBody(request, reply, candidates, error));
      registerRoute(scope, candidates, engine, mount);
    });
  }
}

function registerRoute(app: FastifyInstance, candidates: readonly Candidate[], engine: Engine, mount: ApiMount): void {
  const { method, path } = candidates[0]!.binding;
  app.route({
    method,
    url: fastifyUrl(mount.prefix, path),
    handler: (request: FastifyRequest, reply: FastifyReply) => {
      let chosen: Candidate | undefined;
      return serveInvocation(
        engine,
        request,
        reply,
        () => invocationOf(request, (chosen = selectOperation(candidates, request.query as Query)), mount),
        (response, outcome) => render(request, response, outcome, chosen?.binding, mount),
      );
    },
  });
}
