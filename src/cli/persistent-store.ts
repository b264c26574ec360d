import { isStoreSpec, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { UsageError } from './usage-error.js';

/** The store the servers use, for a command that changes it: sqlite in the data dir or Redis, never memory. */
export function openPersistentStore(spec: string, dataDir: string, commands: string): Promise<Store> {
  if (!isStoreSpec(spec) || spec === 'memory') throw new UsageError(`${commands} need a persistent store: sqlite or a redis:// URL, not "${spec}"`);
  return openStore(spec, dataDir);
}
