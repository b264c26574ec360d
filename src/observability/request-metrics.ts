import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StoreUnavailableError } from '../core/errors.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * Names each request's dialect as it arrives, and counts and times every answer: by dialect, by
 * operation (the vAPI operation, else the route pattern, so that labels stay few), by status.
 */
export function observeRequests(app: FastifyInstance, metrics: ServerMetrics, dialectOf: (request: FastifyRequest) => string): void {
  app.decorateRequest('dialect', '');
  app.addHook('onRequest', (request, _reply, done) => {
    request.dialect = dialectOf(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const { dialect } = request;
    const operation = request.operation ?? request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ dialect, operation, status: String(reply.statusCode) });
    metrics.duration.observe({ dialect }, reply.elapsedTime / 1000);
    if (reply.statusCode === 503) metrics.unavailable.inc({ dialect });
    if (request.failure?.cause instanceof StoreUnavailableError) metrics.storeErrors.inc({ dialect });
    done();
  });
}
