import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type ServeConfig } from '../config/options.js';
import { ADMINISTRATOR, ensureAdministrator } from '../identity/bootstrap.js';
import { systemClock } from '../core/clock.js';
import { jwtKeyFile, openJwtKeyFile } from '../jwt/jwt-signing-key.js';
import { openStsKeyFile, stsKeyFile } from '../sso/sts-keys.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { createServer } from '../server.js';
import { openStore } from '../store/open-store.js';
import { selfSignedCertificate } from '../tls/self-signed.js';
import { AccessControl } from '../authorization/access-control.js';
import { LocalIdentitySource } from '../identity/identity-source.js';
import type { VapiServer } from '../server.js';
import { joinPrimary } from './serve-cluster.js';
import { restrictToOwner } from '../fs/owner-only.js';
import { checkPrivateKey, pemCertificates } from './pem-files.js';
import { AuditLog } from '../observability/audit-log.js';
import { listenOps, reportToPrimary, withProcessMetrics } from './ops-listener.js';

/**
 * An operator's key file readable by others is narrowed to its owner; where that is not ours to do
 * (another owner, a read-only mount), a warning says so and the server starts anyway.
 */
function protectKeyFile(file: string): void {
  try {
    restrictToOwner(file);
  } catch (error) {
    process.stderr.write(`vapi-auth: warning: ${file} is readable by others and could not be made owner-only: ${(error as Error).message}\n`);
  }
}

async function tlsOptions(config: ServeConfig) {
  if (config.http) return undefined;
  if (config.cert && config.key) {
    const cert = await readOptionFile(config.cert, '--cert');
    pemCertificates(cert, '--cert', config.cert);
    const key = await readOptionFile(config.key, '--key');
    checkPrivateKey(key, '--key', config.key);
    protectKeyFile(config.key);
    return { cert, key, created: false };
  }
  return selfSignedCertificate(config.dataDir, config.host);
}

async function readOptionFile(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${flag} ${file}: ${(error as Error).message}`);
  }
}

/** The certificates of a PEM bundle. */
async function trustedCertificates(file: string): Promise<string[]> {
  return pemCertificates(await readOptionFile(file, '--trusted-sts-certs'), '--trusted-sts-certs', file);
}

async function announceAdministrator(identity: LocalIdentitySource, access: AccessControl, env: NodeJS.ProcessEnv): Promise<void> {
  const generated = await ensureAdministrator(identity, access, env.VAPI_AUTH_ADMIN_PASSWORD);
  if (generated !== undefined) {
    process.stdout.write(
      `Created ${ADMINISTRATOR} with password ${generated}\n` +
        `(shown once; set VAPI_AUTH_ADMIN_PASSWORD before the first start to choose it, or change it with "vapi-auth user passwd ${ADMINISTRATOR}")\n`,
    );
  }
}

/**
 * One serving process: alone, or a worker of a primary (which then announces the address). Of
 * processes starting together on an empty store, the one that creates the administrator prints its password.
 */
export async function runServer(config: ServeConfig, env: NodeJS.ProcessEnv, { worker }: { worker: boolean }): Promise<void> {
  const server = await buildServer(config, worker);
  await announceAdministrator(server.identity, server.access, env);
  const auditLog = config.auditLog === undefined ? undefined : new AuditLog(config.auditLog);
  if (auditLog) server.audit.listen(auditLog.write);
  // Log rotation (a primary passes its SIGHUP on to every worker); without an audit log, nothing to do.
  process.on('SIGHUP', () => auditLog?.reopen());
  if (config.opsPort !== undefined) withProcessMetrics(server);
  if (worker) reportToPrimary(server);
  const ops = config.opsPort !== undefined && !worker ? await listenOps({ ...config, opsPort: config.opsPort }, server) : undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    Promise.all([ops?.close(), server.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const url = await server.listen(config.host, config.port);
  if (worker) joinPrimary(url, server.tasks, auditLog ? server.audit : undefined, () => stop('primary'));
}

/** The server `config` describes, with its store open and its plugins loaded; not yet listening. */
async function buildServer(config: ServeConfig, worker: boolean): Promise<VapiServer> {
  // At the same time: on a fresh data dir the TLS and STS keys are generated off the main thread.
  const [https, services, jwtKeys, stsKeys] = await Promise.all([
    tlsOptions(config),
    loadPlugins(config.plugins),
    openJwtKeyFile(config.dataDir, systemClock.now()),
    openStsKeyFile(config.dataDir, systemClock.now()),
  ]);
  const authDefinition = config.authConfig === undefined ? undefined : { file: config.authConfig, text: await readOptionFile(config.authConfig, '--auth-config') };
  const identitySources =
    config.identitySources === undefined ? undefined : { file: config.identitySources, text: await readOptionFile(config.identitySources, '--identity-sources') };
  const saml = {
    trustedCertificates: config.trustedStsCerts === undefined ? [] : await trustedCertificates(config.trustedStsCerts),
    clockToleranceMs: config.samlClockToleranceMs,
    allowBearer: config.samlBearer,
    ...(config.samlAudience ? { audience: config.samlAudience } : {}),
    ...(config.stsUrl ? { stsUrl: config.stsUrl } : {}),
  };
  const server = createServer({
    ...(authDefinition ? { authDefinition } : {}),
    ...(identitySources ? { identitySources } : {}),
    groupRefreshMs: config.groupRefreshMs,
    saml,
    sts: {
      keys: stsKeys,
      policy: { maxLifetimeMs: config.stsMaxLifetimeMs, maxRenewals: config.stsMaxRenewals },
    },
    services,
    jwt: {
      keys: jwtKeys,
      policy: { lifetimeMs: config.tokenLifetimeMs, issuer: config.tokenIssuer },
      limits: {
        maxClients: config.omivvMaxClients,
        maxTokens: config.omivvMaxTokens,
        requestsPerMinute: config.omivvRate,
        requestsPerClientPerMinute: config.omivvClientRate,
        requestsPerTokenPerMinute: config.omivvTokenRate,
      },
    },
    lockout: { maxFailures: config.lockoutFailures, windowMs: config.lockoutWindowMs, durationMs: config.lockoutDurationMs },
    tasks: { retentionMs: config.taskRetentionMs, heartbeatMs: config.taskHeartbeatMs },
    privilegeRecorder: { capacity: config.privilegeChecks },
    passwordHashing: { maxWaiting: config.loginQueue },
    store: await openStore(config.store, config.dataDir),
    sessions: {
      idleTimeoutMs: config.idleTimeoutMs,
      absoluteTimeoutMs: config.absoluteTimeoutMs,
      maxSessionsPerUser: config.maxSessionsPerUser,
      maxSessions: config.maxSessions,
      touchIntervalMs: config.touchIntervalMs,
    },
    realm: config.realm,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    bodyLimit: config.bodyLimit,
    connections: {
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      maxConnections: config.maxConnections,
      maxConnectionsPerClient: config.maxConnectionsPerClient,
    },
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
    announceListening: !worker,
    console: config.console,
    ...(https ? { https: { cert: https.cert, key: https.key } } : {}),
  });
  // Of processes starting together on an empty data dir, exactly one creates each of these.
  const created = [
    ...(https?.created ? [join(config.dataDir, 'tls')] : []),
    ...(jwtKeys.created ? [jwtKeyFile(config.dataDir)] : []),
    ...(stsKeys.created ? [stsKeyFile(config.dataDir)] : []),
  ];
  for (const file of created) server.app.log.info({ file }, 'created on first start');
  return server;
}

