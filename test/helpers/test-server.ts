import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createServer, type VapiServer, type VapiServerOptions } from '../../src/server.js';

export const ADMIN = 'administrator@vsphere.local';
export const ADMIN_PASSWORD = 'Adm1n:pass word';

/** A store kind as the suites see it: how to open a fresh one, and where its files live. */
export interface StoreFactory {
  kind: string;
  open(): Store;
}

/** Every store kind; suites that concern state run once per entry. */
export function storeFactories(): StoreFactory[] {
  return [
    { kind: 'memory', open: () => new MemoryStore() },
    {
      kind: 'sqlite',
      open: () => {
        const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-test-'));
        const store = new SqliteStore({ file: join(dir, 'vapi-auth.sqlite') });
        const close = store.close.bind(store);
        store.close = async () => {
          await close();
          rmSync(dir, { recursive: true, force: true });
        };
        return store;
      },
    },
  ];
}

export interface TestServer {
  server: VapiServer;
  clock: FakeClock;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A real server on an ephemeral port with a fake clock and the administrator account, over the
 * given store. Users `reader@vsphere.local` (ReadOnly) exist too, with password `Read0nly`.
 */
export async function startTestServer(
  store: Store,
  options: Partial<Omit<VapiServerOptions, 'store'>> = {},
): Promise<TestServer> {
  const clock = options.clock instanceof FakeClock ? options.clock : new FakeClock();
  const server = createServer({ logLevel: 'silent', ...options, store, clock });
  await server.identity.add(ADMIN, ADMIN_PASSWORD, ['Administrator']);
  await server.identity.add('reader@vsphere.local', 'Read0nly', ['ReadOnly']);
  const url = await server.listen('127.0.0.1', 0);
  return { server, clock, url, close: () => server.close() };
}
