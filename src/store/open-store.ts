import { join } from 'node:path';
import type { Store } from './store.js';

/** What `--store` names: `sqlite`, `memory`, or a `redis://` / `rediss://` URL. */
export type StoreSpec = 'sqlite' | 'memory' | `redis://${string}` | `rediss://${string}`;

export function isStoreSpec(value: string): value is StoreSpec {
  if (value === 'sqlite' || value === 'memory') return true;
  if (!/^rediss?:\/\//.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The store a `--store` value names; sqlite keeps its file in the data dir. Only the backend named
 * is loaded (the Redis client and the SQLite binding cost start-up time where they are not used).
 */
export async function openStore(spec: StoreSpec, dataDir: string): Promise<Store> {
  if (spec === 'sqlite') {
    const { SqliteStore } = await import('./sqlite-store.js');
    return new SqliteStore({ file: join(dataDir, 'vapi-auth.sqlite') });
  }
  if (spec === 'memory') return new (await import('./memory-store.js')).MemoryStore();
  const { RedisStore } = await import('./redis/redis-store.js');
  return RedisStore.connect({ url: spec });
}
