import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { ephemeralJwtKey, type JwtKeyFile } from '../../src/jwt/jwt-signing-key.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { Redis } from 'ioredis';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { redisAvailable, startRedis, type RedisProcess } from './redis-server.js';
import type { Store } from '../../src/store/store.js';
import { createServer, type VapiServer, type VapiServerOptions } from '../../src/server.js';

export const ADMIN = 'administrator@vsphere.local';
export const ADMIN_PASSWORD = 'Adm1n:pass word';

/** A store kind as the suites see it: how to open a fresh, empty one. */
export interface StoreFactory {
  kind: string;
  open(): Promise<Store>;
}

let sharedRedis: Promise<RedisProcess> | undefined;

/** A fresh, empty Redis store: one redis-server per test file, emptied for each store opened. */
async function openRedisStore(): Promise<Store> {
  sharedRedis ??= startRedis();
  const { url } = await sharedRedis;
  const admin = new Redis(url);
  await admin.flushdb();
  admin.disconnect();
  return RedisStore.connect({ url });
}

/** Every store kind; suites that concern state run once per entry. Redis is skipped (outside CI) where it is not installed. */
export function storeFactories(): StoreFactory[] {
  return [
    { kind: 'memory', open: async () => new MemoryStore() },
    ...(redisAvailable() ? [{ kind: 'redis', open: openRedisStore }] : []),
    {
      kind: 'sqlite',
      open: async () => {
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

/** Creates a local user with a user permission for `role`. */
export async function addUser(server: VapiServer, name: string, password: string, role: string): Promise<void> {
  await server.identity.add(name, password);
  await server.access.grant(name, role);
}

/** JWT options of a test server: an ephemeral signing key unless one is given. */
export type TestJwtOptions = Omit<NonNullable<VapiServerOptions['jwt']>, 'keys'> & { keys?: JwtKeyFile };

/** The connection caps off, for tests that open a burst of connections from one address on purpose. */
export const NO_CONNECTION_LIMITS = { maxConnections: 0, maxConnectionsPerClient: 0 };

/** The OMIVV client limits and request rates off, for tests about something else that log in a lot. */
export const NO_CLIENT_LIMITS = { maxClients: 0, maxTokens: 0, requestsPerMinute: 0, requestsPerClientPerMinute: 0, requestsPerTokenPerMinute: 0 };

/**
 * A real server on an ephemeral port with a fake clock and the administrator account, over the
 * given store. Users `reader@vsphere.local` (ReadOnly) exist too, with password `Read0nly`.
 */
export async function startTestServer(
  store: Store,
  options: Partial<Omit<VapiServerOptions, 'store' | 'jwt'>> & { jwt?: TestJwtOptions | true } = {},
): Promise<TestServer> {
  const clock = options.clock instanceof FakeClock ? options.clock : new FakeClock();
  const { jwt: wantsJwt, ...rest } = options;
  const jwtOptions = wantsJwt === true ? {} : wantsJwt;
  const jwt = jwtOptions && { ...jwtOptions, keys: jwtOptions.keys ?? (await ephemeralJwtKey(clock.now())) };
  const server = createServer({ logLevel: 'silent', ...rest, ...(jwt ? { jwt } : {}), store, clock });
  await addUser(server, ADMIN, ADMIN_PASSWORD, 'Administrator');
  await addUser(server, 'reader@vsphere.local', 'Read0nly', 'ReadOnly');
  const url = await server.listen('127.0.0.1', 0);
  return { server, clock, url, close: () => server.close() };
}
