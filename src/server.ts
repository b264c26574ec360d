import type { LogFn, Logger } from 'pino';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Authentication } from './auth/authentication.js';
import { AccessControl } from './authorization/access-control.js';
import { Authorizer } from './authorization/authorizer.js';
import { PRIVILEGES } from './authorization/privileges.js';
import { DEFAULT_PRIVILEGE_RECORDER_POLICY, PrivilegeRecorder, type PrivilegeRecorderPolicy } from './authorization/privilege-recorder.js';
import { sessionIdAuthenticator } from './auth/session-id.js';
import { oauthAuthenticator } from './auth/oauth.js';
import { samlBearerAuthenticator, samlHolderOfKeyAuthenticator, type SamlBearerPolicy } from './auth/saml-bearer.js';
import { userPassAuthenticator } from './auth/user-pass.js';
import type { Authenticator } from './auth/authenticator.js';
import { CredentialChecker } from './identity/credential-check.js';
import { Lockout, type LockoutPolicy } from './identity/lockout.js';
import { jwtPublicPart, type JwtKeyFile } from './jwt/jwt-signing-key.js';
import { ClusterKeys } from './keys/cluster-keys.js';
import { PublishedSigningKey } from './keys/published-signing-key.js';
import { TrustedIssuers } from './keys/trusted-issuers.js';
import { certificateDer } from './core/pem.js';
import { DEFAULT_TOKEN_POLICY, type TokenPolicy } from './jwt/token-policy.js';
import { TokenService } from './jwt/token-service.js';
import { systemClock, type Clock } from './core/clock.js';
import type { ServiceDefinition } from './core/operations.js';
import { OperationTable } from './core/operation-table.js';
import { SCHEMES } from './core/schemes.js';
import { apiDialect } from './dialects/api/dialect.js';
import { omivvDialect } from './dialects/omivv/dialect.js';
import { jsonNestingExceeds } from './core/json-nesting.js';
import { ClientLimits, DEFAULT_CLIENT_LIMITS, type ClientLimitPolicy } from './jwt/client-limits.js';
import { restDialect } from './dialects/rest/dialect.js';
import { ssoDialect } from './dialects/sso/dialect.js';
import type { StsPolicy } from './sso/sts-service.js';
import { stsPublicPart, type StsKeyFile } from './sso/sts-keys.js';
import { malformedJson } from './dialects/api/errors.js';
import type { Dialect } from './dialects/dialect.js';
import { jsonRpcDialect } from './dialects/jsonrpc/dialect.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { fromFastifyError } from './dialects/fastify-errors.js';
import { logFailure } from './dialects/log-failure.js';
import { registerHealthRoutes, type ReadinessCheck } from './health/health-routes.js';
import { AuditTrail, type AuditListener } from './observability/audit-trail.js';
import { InvocationReports } from './observability/invocation-reports.js';
import { observeRequests } from './observability/request-metrics.js';
import { ServerMetrics } from './observability/server-metrics.js';
import { TrustedProxies } from './http/trusted-proxies.js';
import { TLS_POLICY } from './tls/tls-policy.js';
import { DEFAULT_CONNECTION_POLICY, limitConnections, type ConnectionPolicy } from './http/connection-limits.js';
import { Engine } from './engine/invoke.js';
import { LocalIdentitySource } from './identity/identity-source.js';
import { IdentitySources } from './identity/identity-sources.js';
import type { QualifiedName } from './identity/user-name.js';
import { GroupRefresh } from './directory/group-refresh.js';
import { LdapIdentitySource } from './directory/ldap-source.js';
import type { DirectoryLog } from './directory/ldap-servers.js';
import { parseIdentitySources } from './directory/sources-file.js';
import { defaultHashingPolicy, PasswordHasher, type HashingPolicy } from './identity/password-hash.js';
import { cisSessionService } from './services/cis-session.js';
import { cisTasksService } from './services/cis-tasks.js';
import { metadataAuthenticationServices } from './services/metadata-authentication.js';
import { metadataPrivilegeServices } from './services/metadata-privilege.js';
import { privilegeCheckServices } from './services/privilege-checks.js';
import { ADMIN_PACKAGE, adminServices } from './services/admin/admin-services.js';
import type { AdminParts } from './services/admin/admin-context.js';
import { UserAdministration } from './identity/user-administration.js';
import { vcenterAuthenticationTokenService } from './services/vcenter-authentication-token.js';
import { TokenExchange } from './token-exchange/token-exchange.js';
import { AuthenticationMetadata } from './metadata/authentication-metadata.js';
import { PrivilegeMetadata } from './metadata/privilege-metadata.js';
import { requestIdOf } from './dialects/request-id.js';
import { applyAuthDefinition, parseAuthDefinition } from './auth-config/auth-definition.js';
import { TaskRunner, type TaskPolicy } from './tasks/task-runner.js';
import { SessionService, type SessionPolicy } from './sessions/session-service.js';
import type { Store } from './store/store.js';
import { checkServerOptions } from './server-options-check.js';
import { consoleDialect } from './console/console-dialect.js';
import { CONSOLE_ASSETS_DIR } from './console/console-assets.js';
import { packageVersion } from './package-version.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received, when it was JSON. */
    rawBody?: string;
  }
}

export interface VapiServerOptions {
  store: Store;
  clock?: Clock;
  sessions?: Partial<SessionPolicy>;
  tasks?: Partial<TaskPolicy>;
  lockout?: Partial<LockoutPolicy>;
  /**
   * SAML tokens (Session.create on every dialect) from the STS of every node sharing the store, and
   * from the issuers of `trustedCertificates`; off when absent (and no `sts`).
   */
  saml?: Partial<SamlBearerPolicy> & { trustedCertificates: readonly string[] };
  /**
   * This server's own STS and lookup service, signing with `keys`, whose certificate is published to
   * the store for every node to trust (SAML tokens are on then).
   */
  sts?: { keys: StsKeyFile; policy?: Partial<StsPolicy> };
  /**
   * JWT bearer tokens (the oauth scheme) and the OMIVV login, with its client limits and request
   * rates; off when absent. Tokens are signed with `keys`, whose public key is published to the
   * store; tokens of every node sharing the store are accepted.
   */
  jwt?: { keys: JwtKeyFile; policy?: Partial<TokenPolicy>; limits?: Partial<ClientLimitPolicy> };
  /** Realm in WWW-Authenticate challenges. */
  realm?: string;
  /**
   * Where clients reach this server (`https://vapi.example.com`, no trailing slash), as the lookup
   * service publishes its endpoints; without it they are built from each request's `Host` header.
   */
  publicUrl?: string;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Request timeouts and connection caps. */
  connections?: Partial<ConnectionPolicy>;
  https?: { key: string | Buffer; cert: string | Buffer };
  /** pino level; `silent` for none. */
  logLevel?: string;
  /** Where log lines go (JSON, one per line); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /** Whether the listening address is logged (true); a worker leaves that to its primary. */
  announceListening?: boolean;
  /** Further services to serve beside the built-in ones. */
  services?: readonly ServiceDefinition[];
  /** How many passwords are hashed at once, and how many may wait (more get 503); half the cores and 64 by default. */
  passwordHashing?: Partial<HashingPolicy>;
  /** The privilege-check recorder: how many checks the shared record keeps, how often this process writes. */
  privilegeRecorder?: Partial<PrivilegeRecorderPolicy>;
  /**
   * An authentication definition (YAML or JSON text) overriding the schemes of packages, services
   * and operations; `file` names it in errors. A bad definition throws AuthDefinitionError.
   */
  authDefinition?: { text: string; file: string };
  /** Told each audit event (logins, logouts, lockouts, tokens issued): never a password, token or session id. */
  onAuditEvent?: AuditListener;
  /** Reverse proxies (`ADDR/PREFIX`) whose `X-Forwarded-For` names the client; from anyone else it is ignored. */
  trustProxy?: readonly string[];
  /**
   * External identity sources (LDAP, Active Directory) beside the local domain: the YAML text of an
   * identity sources file; `file` names it in errors and relative paths. A bad file throws IdentitySourcesError.
   */
  identitySources?: { text: string; file: string };
  /** How old the groups of a live directory session or token may be before they are read again; 5 minutes by default. */
  groupRefreshMs?: number;
  /** The web console at `/ui/`, its API explorer and `/api/openapi.json` (docs/console.md); on unless false. */
  console?: boolean;
}

export interface VapiServer {
  readonly app: FastifyInstance;
  readonly table: OperationTable;
  readonly identity: LocalIdentitySource;
  /** The local domain and the external identity sources. */
  readonly identitySources: IdentitySources;
  /** Roles and permissions: what the CLI changes, for embedding programs. */
  readonly access: AccessControl;
  readonly sessions: SessionService;
  readonly tasks: TaskRunner;
  /** Present when JWT bearer tokens are on. */
  readonly tokens: TokenService | undefined;
  readonly store: Store;
  /** This server's Prometheus metrics (`metrics.registry`). */
  readonly metrics: ServerMetrics;
  /** Where audit events go (`audit.listen` adds a listener). */
  readonly audit: AuditTrail;
  /** What `/readyz` waits for: each rejects while its part is not ready. */
  readonly readiness: readonly ReadinessCheck[];
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

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailures: 6,
  windowMs: 3 * 60_000,
  durationMs: 60_000,
};

export const DEFAULT_SAML_POLICY: SamlBearerPolicy = {
  allowBearer: true,
  clockToleranceMs: 60_000,
  maxBytes: 64 * 1024,
};

export const DEFAULT_STS_POLICY: StsPolicy = {
  maxLifetimeMs: 24 * 3_600_000,
  defaultLifetimeMs: 30 * 60_000,
  maxRenewals: 10,
  issuer: 'vapi-auth STS',
};

/** SAML tokens are on with trusted issuers, or with our own STS; the cluster's STS keys are trusted then. */
function samlPolicy(options: VapiServerOptions, cluster: ClusterKeys): { policy: SamlBearerPolicy; issuers: TrustedIssuers } | undefined {
  if (!options.saml && !options.sts) return undefined;
  const { trustedCertificates = [], ...policy } = options.saml ?? {};
  return { policy: { ...DEFAULT_SAML_POLICY, ...policy }, issuers: new TrustedIssuers(cluster, trustedCertificates) };
}

export const DEFAULT_TASK_POLICY: TaskPolicy = {
  retentionMs: 24 * 3_600_000,
  heartbeatMs: 10_000,
  shutdownGraceMs: 10_000,
};

const PURGE_INTERVAL_MS = 60_000;

export const DEFAULT_GROUP_REFRESH_MS = 5 * 60_000;

/** The local domain with the external sources of an identity sources file, if any. */
function identitySourcesOf(local: LocalIdentitySource, options: VapiServerOptions, clock: Clock, log: DirectoryLog): IdentitySources {
  if (!options.identitySources) return new IdentitySources(local);
  const { text, file } = options.identitySources;
  const config = parseIdentitySources(text, file, local.domain);
  const directories = config.sources.map((source) => new LdapIdentitySource(source, clock, log));
  return new IdentitySources(local, directories, config.defaultDomain);
}

/** A pino hook that drops Fastify's "Server listening at" line (several workers share one address). */
function dropListeningLine(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  if (typeof args[0] === 'string' && args[0].startsWith('Server listening at')) return;
  method.apply(this, args);
}

/**
 * The dialect that owns a request, asked in order; the `/api` dialect answers everything else.
 * JSON-RPC owns exactly `POST /api`, so it is asked before `/api`, which owns the rest of `/api`.
 */
function dialectOf(dialects: readonly Dialect[], method: string, url: string): Dialect {
  const path = url.split('?', 1)[0] ?? '';
  return dialects.find((dialect) => dialect.owns(method, path)) ?? apiDialect;
}

/**
 * The built-in operation table: CIS sessions and tasks, the authentication and privilege metadata
 * services, the privilege-check recorder, the administration services (`vapi_auth`) and, where JWT
 * and SAML tokens are both on, the token exchange (which takes no authentication: its subject token
 * is the credential). `com.vmware.cis`, `com.vmware.vapi`, `com.vmware.vcenter` and `vapi_auth`
 * take a session, and a JWT bearer token where those are on (vCenter requires a session for the
 * metadata services too); a session may be created from a password or a token. Reading metadata
 * needs System.Read; docs/authorization.md gives every built-in privilege's reason.
 */
function buildTable(
  sessions: SessionService,
  store: Store,
  tasks: TaskRunner,
  recorder: PrivilegeRecorder,
  parseName: (name: string) => QualifiedName | undefined,
  enabled: { jwt: boolean; saml: boolean },
  tokenExchange: ServiceDefinition | undefined,
  admin: Omit<AdminParts, 'declaredPrivileges'>,
  extra: readonly ServiceDefinition[],
): OperationTable {
  const bearer = enabled.jwt ? [SCHEMES.oauth] : [];
  const saml = enabled.saml ? [SCHEMES.samlBearer, SCHEMES.samlHok] : [];
  const table = new OperationTable()
    .definePackage('com.vmware.cis', [SCHEMES.sessionId, ...bearer])
    .definePackage('com.vmware.vapi', [SCHEMES.sessionId, ...bearer])
    .definePackage('com.vmware.vcenter', [SCHEMES.sessionId, ...bearer])
    .definePackage(ADMIN_PACKAGE, [SCHEMES.sessionId, ...bearer])
    .definePackagePrivileges('com.vmware.vapi', [PRIVILEGES.read]);
  table.addService(cisSessionService(sessions, [SCHEMES.userPass, ...saml, ...bearer]));
  table.addService(cisTasksService(store.tasks, tasks, table, parseName));
  for (const service of metadataAuthenticationServices(new AuthenticationMetadata(table))) table.addService(service);
  for (const service of metadataPrivilegeServices(new PrivilegeMetadata(table))) table.addService(service);
  for (const service of privilegeCheckServices(store.privilegeChecks, recorder)) table.addService(service);
  if (tokenExchange) table.addService(tokenExchange);
  for (const service of adminServices({ ...admin, declaredPrivileges: () => table.declaredPrivileges() })) table.addService(service);
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

/** A server; unknown options and bad values throw a ConfigError naming them. */
export function createServer(options: VapiServerOptions): VapiServer {
  checkServerOptions(options);
  const clock = options.clock ?? systemClock;
  const { store } = options;
  const realm = options.realm ?? 'VAPI endpoint';
  const identity = new LocalIdentitySource(store.users, clock, undefined, new PasswordHasher({ ...defaultHashingPolicy(), ...options.passwordHashing }));
  const sessions = new SessionService(store.sessions, clock, { ...DEFAULT_SESSION_POLICY, ...options.sessions });
  const connections = { ...DEFAULT_CONNECTION_POLICY, ...options.connections };
  const proxies = new TrustedProxies(options.trustProxy ?? []);
  const metrics = new ServerMetrics();
  const audit = new AuditTrail(options.onAuditEvent ? [options.onAuditEvent] : [], [metrics.audited]);
  const app = Fastify({
    // AEAD suites only; a TLS handshake gets no longer than the headers that follow it.
    ...(options.https ? { https: { ...TLS_POLICY, ...options.https, handshakeTimeout: connections.headersTimeoutMs } } : {}),
    // A path that cannot be decoded (`%ZZ`) fails before routing; it gets the dialect's error too.
    frameworkErrors: (error, request, reply) => sendFailure(error, request, reply),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    genReqId: (request) => requestIdOf(request.headers),
    // Failures are logged once, by the dialects, with their reason; success needs no line per request.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    schemaController: { compilersFactory: lazySchemaCompilers() },
    // request.ip: X-Forwarded-For's client only when the connection comes from a trusted proxy.
    trustProxy: (address: string) => proxies.trusts(address),
    logger: {
      level: options.logLevel ?? 'info',
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["vmware-api-session-id"]'],
      ...(options.announceListening === false ? { hooks: { logMethod: dropListeningLine } } : {}),
    },
  });

  const authorizer = new Authorizer(store.authorization);
  const recorder = new PrivilegeRecorder(store.privilegeChecks, { ...DEFAULT_PRIVILEGE_RECORDER_POLICY, ...options.privilegeRecorder }, app.log);
  limitConnections(app, connections, proxies);

  const lockout = new Lockout(store.kv, clock, { ...DEFAULT_LOCKOUT_POLICY, ...options.lockout }, app.log, audit);
  const identitySources = identitySourcesOf(identity, options, clock, app.log);
  const groups = new GroupRefresh(identitySources, options.groupRefreshMs ?? DEFAULT_GROUP_REFRESH_MS, clock, app.log);
  const credentials = new CredentialChecker(identitySources, lockout);
  const cluster = new ClusterKeys(store.verificationKeys);
  const jwtKey = options.jwt && new PublishedSigningKey(options.jwt.keys, jwtPublicPart, cluster, app.log);
  const stsKey = options.sts && new PublishedSigningKey(options.sts.keys, stsPublicPart, cluster, app.log);
  const tokens = jwtKey && new TokenService(jwtKey, { ...DEFAULT_TOKEN_POLICY, ...options.jwt?.policy }, store.kv, clock, identitySources, credentials, authorizer, groups);
  const authenticators: Authenticator[] = [userPassAuthenticator(credentials, realm), sessionIdAuthenticator(sessions, groups)];
  const saml = samlPolicy(options, cluster);
  if (saml) {
    const accounts = { identity: identitySources, credentials };
    authenticators.push(
      samlBearerAuthenticator(saml.policy, saml.issuers, accounts, clock, realm),
      samlHolderOfKeyAuthenticator(saml.policy, saml.issuers, accounts, store.kv, clock),
    );
  }
  if (tokens) authenticators.push(oauthAuthenticator(tokens, realm));
  const authentication = new Authentication(authenticators);
  const tasks = new TaskRunner(store.tasks, clock, { ...DEFAULT_TASK_POLICY, ...options.tasks }, app.log);
  const enabled = { jwt: tokens !== undefined, saml: saml !== undefined };
  const sts = stsKey && saml && {
    signingKey: stsKey,
    policy: { ...DEFAULT_STS_POLICY, ...(saml.policy.audience ? { audience: saml.policy.audience } : {}), ...options.sts?.policy },
    credentials,
    identity: identitySources,
    kv: store.kv,
    clock,
    assertions: saml.policy,
    issuers: saml.issuers,
    audit,
  };
  const exchange = tokens && saml && new TokenExchange({
    tokens,
    saml: { policy: saml.policy, issuers: saml.issuers, accounts: { identity: identitySources, credentials } },
    ...(sts ? { sts: { signingKey: sts.signingKey, policy: sts.policy } } : {}),
    clock,
  });
  const tokenService = exchange && vcenterAuthenticationTokenService(exchange, audit);
  const access = new AccessControl(store.authorization, store.users, identity.domain);
  const admin = { store, sessions, identity, users: new UserAdministration(identity, access), access, lockout, authorizer, audit };
  const table = buildTable(sessions, store, tasks, recorder, (name) => identitySources.parse(name), enabled, tokenService, admin, options.services ?? []);
  // Before any dialect registers: routes keep the schemes they resolve at registration.
  if (options.authDefinition) {
    const { text, file } = options.authDefinition;
    // Anonymous access is an operation's own declaration (the token exchange's): a file cannot grant it.
    const supported = new Set(Object.values(SCHEMES).filter((scheme) => scheme !== SCHEMES.none && authentication.supports(scheme)));
    applyAuthDefinition(table, parseAuthDefinition(text, file, table, supported));
  }
  assertEnforceable(table, authentication);
  const engine = new Engine({ authentication, authorizer, recorder, clock, tasks, reports: new InvocationReports(audit, metrics) });
  const dialects: Dialect[] = [jsonRpcDialect, apiDialect, restDialect, ...(tokens ? [omivvDialect(tokens, new ClientLimits(store.kv, clock, { ...DEFAULT_CLIENT_LIMITS, ...options.jwt?.limits }), audit)] : [])];
  if (options.console !== false) {
    dialects.push(consoleDialect({ authentication, authorizer, assetsDir: CONSOLE_ASSETS_DIR, version: packageVersion() }));
  }
  if (sts) dialects.push(ssoDialect({ sts, tlsCertificateDer: certificateDer(options.https?.cert), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) }));

  // JSON only (spec: other bodies get 415). An empty body is no body, as curl users send it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Kept for holder-of-key signatures, which cover the body as sent.
    request.rawBody = body as string;
    if (body === '') return done(null, undefined);
    if (jsonNestingExceeds(body as string)) return done(malformedJson(), undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(malformedJson(), undefined);
    }
  });
  function sendFailure(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const { error: vapiError, status, bodyUnread } = fromFastifyError(error);
    logFailure(request, vapiError);
    if (bodyUnread) reply.header('connection', 'close');
    return dialectOf(dialects, request.method, request.url).sendError(reply, vapiError, status);
  }
  app.setErrorHandler(sendFailure);
  observeRequests(app, metrics, (request) => dialectOf(dialects, request.method, request.url).name);
  metrics.watch({
    hashQueueDepth: () => identity.hasher.depth,
    runningTasks: () => tasks.runningCount,
    liveSessions: () => store.sessions.countLive(clock.now()),
  });
  tasks.observeStatus((state) => metrics.tasks.inc({ state }));
  app.setNotFoundHandler((request, reply) => dialectOf(dialects, request.method, request.url).sendNotFound(reply));
  for (const dialect of dialects) dialect.register(app, { table, engine });
  // Ready when the store answers a read and the JWT signing key (if any) can be read from its file.
  const jwtKeys = options.jwt?.keys;
  const readiness: ReadinessCheck[] = [() => store.kv.get('readiness-probe', clock.now()), ...(jwtKeys ? [async () => jwtKeys.current()] : [])];
  registerHealthRoutes(app, readiness);

  /**
   * Publishes this node's signing keys as if it signed a token now, so that the cluster's JWKS and
   * lookup service list them from the start, and a key withdrawn while the node was down is
   * replaced before it signs anything.
   */
  async function publishSigningKeys(): Promise<void> {
    const now = clock.now();
    await tokens?.signingKey.forTokenUntil(now + tokens.policy.lifetimeMs, now);
    await sts?.signingKey.forTokenUntil(now + sts.policy.maxLifetimeMs + sts.assertions.clockToleranceMs, now);
  }

  const purge = setInterval(() => {
    store.purgeExpired(clock.now()).catch((error: unknown) => app.log.warn({ err: error }, 'purging expired records failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  return {
    app,
    table,
    identity,
    identitySources,
    access,
    sessions,
    tasks,
    tokens,
    store,
    metrics,
    audit,
    readiness,
    async listen(host, port) {
      // So that roles can grant what this server's operations (plugins' included) need.
      await store.authorization.publishPrivileges(table.declaredPrivileges());
      await tasks.startHeartbeat();
      await publishSigningKeys();
      return app.listen({ host, port });
    },
    async close() {
      clearInterval(purge);
      await app.close();
      await tasks.stop();
      await recorder.flush();
      await identitySources.close();
      await store.close();
    },
  };
}
