import { join } from 'node:path';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis/redis-store.js';
import { SqliteStore } from './sqlite-store.js';
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

/** The store a `--store` value names; sqlite keeps its file in the data dir. */
export async function openStore(spec: StoreSpec, dataDir: string): Promise<Store> {
  if (spec === 'sqlite') return new SqliteStore({ file: join(dataDir, 'vapi-auth.sqlite') });
  if (spec === 'memory') return new MemoryStore();
  return RedisStore.connect({ url: spec });
}
