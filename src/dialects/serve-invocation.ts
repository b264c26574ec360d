import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine/invoke.js';
import type { Invocation, Outcome } from '../engine/invocation.js';
import { logFailure } from './log-failure.js';
import { SCHEMES } from '../core/schemes.js';
import { withRequestContext } from '../observability/request-context.js';

/**
 * Whether the invocation may raise audit events (a login or logout, a password check that may start
 * a lock, an operation that audits itself), which then name the request. Only those run in a request
 * context: keeping one costs every request a fifth of its throughput (async hooks), and the others
 * raise no event.
 */
function mayAudit(invocation: Invocation): boolean {
  const { operation } = invocation.target;
  return operation.sessionEffect !== undefined || operation.audited === true || invocation.credentials[SCHEMES.userPass] !== undefined;
}

/** Thrown while parsing a request that names no operation: answered as the dialect's unknown route. */
export class NoRoute extends Error {}

/**
 * The whole life of a dialect request: parse it into an invocation, let the engine run it, render
 * the outcome. A parse failure is an outcome like any other; failures are logged here, once.
 */
export async function serveInvocation(
  engine: Engine,
  request: FastifyRequest,
  reply: FastifyReply,
  parse: () => Invocation,
  render: (reply: FastifyReply, outcome: Outcome) => FastifyReply,
): Promise<FastifyReply> {
  let outcome: Outcome;
  try {
    const invocation = parse();
    outcome = mayAudit(invocation) ? await withRequestContext(request, () => engine.invoke(invocation)) : await engine.invoke(invocation);
  } catch (error) {
    outcome = error instanceof NoRoute ? { kind: 'no_route' } : { kind: 'failure', error: engine.failure(error) };
  }
  if (outcome.kind !== 'no_route' && outcome.target) {
    request.operation = `${outcome.target.service.id}.${outcome.target.operation.id}`;
    if (outcome.target.operation.issuesCredentials) reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  }
  if (outcome.kind === 'failure') logFailure(request, outcome.error);
  return render(reply, outcome);
}
