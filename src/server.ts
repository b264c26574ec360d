import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Authentication } from './auth/authentication.js';
import { sessionIdAuthenticator } from './auth/session-id.js';
import { userPassAuthenticator } from './auth/user-pass.js';
import { systemClock, type Clock } from './core/clock.js';
import type { ServiceDefinition } from './core/operations.js';
import { OperationTable } from './core/operation-table.js';
import { SCHEMES } from './core/schemes.js';
import { apiDialect } from './dialects/api/dialect.js';
import { malformedJson } from './dialects/api/errors.js';
import type { Dialect } from './dialects/dialect.js';
import { jsonRpcDialect } from './dialects/jsonrpc/dialect.js';
import { fromFastifyError } from './dialects/fastify-errors.js';
import { logFailure } from './dialects/log-failure.js';
import { Engine } from './engine/invoke.js';
import { LocalIdentitySource } from './identity/identity-source.js';
import { cisSessionService } from './services/cis-session.js';
import { cisTasksService } from './services/cis-tasks.js';
import { TaskRunner, type TaskPolicy } from './tasks/task-runner.js';
import { SessionService, type SessionPolicy } from './sessions/session-service.js';
import type { Store } from './store/store.js';

export interface VapiServerOptions {
  store: Store;
  clock?: Clock;
  sessions?: Partial<SessionPolicy>;
  tasks?: Partial<TaskPolicy>;
  /** Realm in WWW-Authenticate challenges. */
  realm?: string;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  https?: { key: string | Buffer; cert: string | Buffer };
  /** pino level; `silent` for none. */
  logLevel?: string;
  /** Where log lines go (JSON, one per line); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /** Further services to serve beside the built-in ones. */
  services?: readonly ServiceDefinition[];
}

export interface VapiServer {
  readonly app: FastifyInstance;
  readonly table: OperationTable;
  readonly identity: LocalIdentitySource;
  readonly sessions: SessionService;
  readonly tasks: TaskRunner;
  readonly store: Store;
  /** Starts listening; resolves to the base URL. */
  listen(host: string, port: number): Promise<string>;
  /** Stops accepting, lets running requests finish, closes the store. */
  close(): Promise<void>;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 24 * 3_600_000,
  maxSessionsPerUser: 550,
  maxSessions: 3000,
  touchIntervalMs: 5_000,
};

export const DEFAULT_TASK_POLICY: TaskPolicy = {
  retentionMs: 24 * 3_600_000,
  heartbeatMs: 10_000,
  shutdownGraceMs: 10_000,
};

const PURGE_INTERVAL_MS = 60_000;

/**
 * The dialects, asked in this order which one owns a request; the last one answers the rest.
 * JSON-RPC owns exactly `POST /api`, so it is asked before `/api`, which owns the rest of `/api`.
 */
const DIALECTS: readonly Dialect[] = [jsonRpcDialect, apiDialect];

function dialectOf(method: string, url: string): Dialect {
  const path = url.split('?', 1)[0] ?? '';
  return DIALECTS.find((dialect) => dialect.owns(method, path)) ?? DIALECTS[DIALECTS.length - 1]!;
}

/** The built-in operation table: CIS sessions and tasks, with `com.vmware.cis` requiring a session by default. */
function buildTable(
  sessions: SessionService,
  store: Store,
  tasks: TaskRunner,
  domain: string,
  extra: readonly ServiceDefinition[],
): OperationTable {
  const table = new OperationTable().definePackage('com.vmware.cis', [SCHEMES.sessionId]);
  table.addService(cisSessionService(sessions));
  table.addService(cisTasksService(store.tasks, tasks, table, domain));
  for (const service of extra) table.addService(service);
  return table;
}

/** Every operation must be reachable by at least one scheme, and only by schemes this server can check. */
function assertEnforceable(table: OperationTable, authentication: Authentication): void {
  for (const { service, operation, schemes } of table.operations()) {
    const where = `${service.id}.${operation.id}`;
    if (schemes.length === 0) throw new Error(`${where} has no authentication schemes`);
    const unknown = schemes.filter((scheme) => !authentication.supports(scheme));
    if (unknown.length > 0) throw new Error(`${where} declares schemes this server cannot check: ${unknown.join(', ')}`);
  }
}

export function createServer(options: VapiServerOptions): VapiServer {
  const clock = options.clock ?? systemClock;
  const { store } = options;
  const identity = new LocalIdentitySource(store.users, clock);
  const sessions = new SessionService(store.sessions, clock, { ...DEFAULT_SESSION_POLICY, ...options.sessions });
  const authentication = new Authentication([
    userPassAuthenticator(identity, options.realm ?? 'VAPI endpoint'),
    sessionIdAuthenticator(sessions, identity),
  ]);
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: 'x-request-id',
    // Failures are logged once, by the dialects, with their reason; success needs no line per request.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    logger: {
      level: options.logLevel ?? 'info',
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["vmware-api-session-id"]'],
    },
  });

  const tasks = new TaskRunner(store.tasks, clock, { ...DEFAULT_TASK_POLICY, ...options.tasks }, app.log);
  const table = buildTable(sessions, store, tasks, identity.domain, options.services ?? []);
  assertEnforceable(table, authentication);
  const engine = new Engine(authentication, clock, tasks);

  // JSON only (spec: other bodies get 415). An empty body is no body, as curl users send it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(malformedJson(), undefined);
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const { error: vapiError, status } = fromFastifyError(error);
    logFailure(request, vapiError);
    return dialectOf(request.method, request.url).sendError(reply, vapiError, status);
  });
  app.setNotFoundHandler((request, reply) => dialectOf(request.method, request.url).sendNotFound(reply));
  for (const dialect of DIALECTS) dialect.register(app, { table, engine });

  const purge = setInterval(() => {
    store.purgeExpired(clock.now()).catch((error: unknown) => app.log.warn({ err: error }, 'purging expired records failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  return {
    app,
    table,
    identity,
    sessions,
    tasks,
    store,
    async listen(host, port) {
      await tasks.startHeartbeat();
      return app.listen({ host, port });
    },
    async close() {
      clearInterval(purge);
      await app.close();
      await tasks.stop();
      await store.close();
    },
  };
}
