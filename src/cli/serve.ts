import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolveConfig, type Flags, type ServeConfig } from '../config/options.js';
import { runPrimary } from './serve-cluster.js';

/** How many processes serve: `auto` is one per core, except with the memory store (one process). */
function workerCount(config: ServeConfig): number {
  if (config.workers !== 'auto') return config.workers;
  return config.store === 'memory' ? 1 : availableParallelism();
}

/**
 * `vapi-auth serve`: runs until SIGTERM or SIGINT, then finishes running requests and exits. With
 * several workers this process forks them at once; they share the port (node:cluster), and it prints
 * the one listening line, or the first worker's error if they cannot start. On a fresh data dir the
 * workers prepare it together: exactly one creates each of the certificate, the keys and the
 * administrator (and prints its password), so the primary loads no server of its own.
 */
export async function serve(flags: Flags, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveConfig(flags, env);
  if (cluster.isWorker) {
    await (await import('./serve-process.js')).runServer(config, env, { worker: true });
    return;
  }
  const workers = workerCount(config);
  if (workers === 1) {
    await (await import('./serve-process.js')).runServer(config, env, { worker: false });
    return;
  }
  if (config.opsPort !== undefined) {
    const [{ openStore }, { listenOpsForWorkers }, { systemClock }] = await Promise.all([import('../store/open-store.js'), import('./ops-listener.js'), import('../core/clock.js')]);
    // The primary's own view of the store: /readyz fails while the workers cannot reach it either.
    const store = await openStore(config.store, config.dataDir);
    await listenOpsForWorkers({ ...config, opsPort: config.opsPort }, [() => store.kv.get('readiness-probe', systemClock.now())]);
  }
  await runPrimary(workers);
}

