import Fastify, { LogController } from 'fastify';
import { registerHealthRoutes, type ReadinessCheck } from '../health/health-routes.js';

export interface OpsServerOptions {
  /** The metrics text and its content type, made at each scrape. */
  metrics: () => Promise<{ text: string; contentType: string }>;
  readiness: readonly ReadinessCheck[];
  logLevel: string;
}

export interface OpsServer {
  /** Listens, and logs "Operations listener at URL". */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The operations listener, plain HTTP apart from the API: `/metrics` (Prometheus text), `/healthz`
 * and `/readyz`. It carries no credentials and is meant for a private address.
 */
export function opsServer(options: OpsServerOptions): OpsServer {
  const app = Fastify({ logger: { level: options.logLevel }, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/metrics', async (request, reply) => {
    try {
      const { text, contentType } = await options.metrics();
      return reply.type(contentType).send(text);
    } catch (error) {
      request.log.error({ err: error }, 'collecting metrics failed');
      return reply.code(500).type('text/plain; charset=utf-8').send('metrics unavailable\n');
    }
  });
  registerHealthRoutes(app, options.readiness);
  return {
    listen: (host, port) => app.listen({ host, port, listenTextResolver: (address) => `Operations listener at ${address}` }),
    close: () => app.close(),
  };
}
