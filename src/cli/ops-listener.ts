import { AggregatorRegistry, collectDefaultMetrics } from 'prom-client';
import type { ServeConfig } from '../config/options.js';
import type { ReadinessCheck } from '../health/health-routes.js';
import { opsServer, type OpsServer } from '../observability/ops-server.js';
import type { VapiServer } from '../server.js';

/** Node's process metrics (memory, CPU, event loop, handles) join the server's own. */
export function withProcessMetrics(server: VapiServer): void {
  collectDefaultMetrics({ register: server.metrics.registry });
}

/** In a worker: the primary's scrapes (over node:cluster IPC) read this server's registry. */
export function reportToPrimary(server: VapiServer): void {
  AggregatorRegistry.setRegistries([server.metrics.registry]);
  // prom-client starts answering the primary's requests when an AggregatorRegistry is first made.
  new AggregatorRegistry();
}

/** `--ops-port` of a single process: its own registry and readiness. */
export async function listenOps(config: ServeConfig & { opsPort: number }, server: VapiServer): Promise<OpsServer> {
  const { registry } = server.metrics;
  const ops = opsServer({
    metrics: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
    readiness: server.readiness,
    logLevel: config.logLevel,
  });
  await ops.listen(config.opsHost, config.opsPort);
  return ops;
}

/**
 * `--ops-port` of a primary: each scrape asks every worker for its metrics and sums them (one scrape
 * shows the whole server); readiness is the store's, read by the primary itself.
 */
export async function listenOpsForWorkers(config: ServeConfig & { opsPort: number }, readiness: readonly ReadinessCheck[]): Promise<void> {
  const registry = new AggregatorRegistry();
  const ops = opsServer({
    metrics: async () => ({ text: await registry.clusterMetrics(), contentType: registry.contentType }),
    readiness,
    logLevel: config.logLevel,
  });
  await ops.listen(config.opsHost, config.opsPort);
}
