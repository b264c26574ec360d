import type { FastifyInstance } from 'fastify';

const HEALTH_PATH = '/healthz';
const READY_PATH = '/readyz';

/** One thing readiness waits for; it rejects while that thing is not ready. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * Probes for a load balancer or an orchestrator, without authentication: `/healthz` answers while
 * the process serves, `/readyz` only while every check passes (503 otherwise). The bodies say
 * nothing more than the status: which part failed goes to the log, not to whoever asks.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get(HEALTH_PATH, (_request, reply) => reply.code(200).type('text/plain; charset=utf-8').send('ok\n'));
  app.get(READY_PATH, async (request, reply) => {
    try {
      await Promise.all(checks.map((check) => check()));
      return reply.code(200).type('text/plain; charset=utf-8').send('ready\n');
    } catch (error) {
      request.log.warn({ err: error }, 'not ready: a readiness check failed');
    }
    return reply.code(503).type('text/plain; charset=utf-8').send('not ready\n');
  });
}
