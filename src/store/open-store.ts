import { join } from 'node:path';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export const STORE_KINDS = ['sqlite', 'memory'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** The store a `--store` value names; sqlite keeps its file in the data dir. */
export function openStore(kind: StoreKind, dataDir: string): Store {
  switch (kind) {
    case 'sqlite':
      return new SqliteStore({ file: join(dataDir, 'vapi-auth.sqlite') });
    case 'memory':
      return new MemoryStore();
  }
}
