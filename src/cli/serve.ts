import { readFile } from 'node:fs/promises';
import { ConfigError, resolveConfig, type Flags } from '../config/options.js';
import { ensureAdministrator } from '../identity/bootstrap.js';
import { ADMINISTRATOR } from '../identity/bootstrap.js';
import { systemClock } from '../core/clock.js';
import { jwtKeyFile } from '../jwt/key-file.js';
import { KeyRing } from '../jwt/key-ring.js';
import { stsKeys } from '../sso/sts-keys.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { createServer } from '../server.js';
import { openStore } from '../store/open-store.js';
import { selfSignedCertificate } from '../tls/self-signed.js';
import { restrictToOwner } from '../fs/owner-only.js';
import { checkPrivateKey, pemCertificates } from './pem-files.js';

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

async function tlsOptions(config: ReturnType<typeof resolveConfig>) {
  if (config.http) return undefined;
  if (config.cert && config.key) {
    const cert = await readOptionFile(config.cert, '--cert');
    pemCertificates(cert, '--cert', config.cert);
    const key = await readOptionFile(config.key, '--key');
    checkPrivateKey(key, '--key', config.key);
    protectKeyFile(config.key);
    return { cert, key };
  }
  const files = await selfSignedCertificate(config.dataDir, config.host);
  return { cert: files.cert, key: files.key };
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

/** `vapi-auth serve`: runs until SIGTERM or SIGINT, then finishes running requests and exits. */
export async function serve(flags: Flags, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveConfig(flags, env);
  const https = await tlsOptions(config);
  const services = await loadPlugins(config.plugins);
  const keys = await KeyRing.open(jwtKeyFile(config.dataDir), systemClock.now());
  const authDefinition = config.authConfig === undefined ? undefined : { file: config.authConfig, text: await readOptionFile(config.authConfig, '--auth-config') };
  const saml = {
    trustedCertificates: config.trustedStsCerts === undefined ? [] : await trustedCertificates(config.trustedStsCerts),
    clockToleranceMs: config.samlClockToleranceMs,
    allowBearer: config.samlBearer,
    ...(config.samlAudience ? { audience: config.samlAudience } : {}),
    ...(config.stsUrl ? { stsUrl: config.stsUrl } : {}),
  };
  const server = createServer({
    ...(authDefinition ? { authDefinition } : {}),
    saml,
    sts: {
      keys: await stsKeys(config.dataDir, systemClock.now(), config.stsMaxLifetimeMs),
      policy: { maxLifetimeMs: config.stsMaxLifetimeMs, maxRenewals: config.stsMaxRenewals },
    },
    services,
    jwt: {
      keys,
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
    ...(https ? { https } : {}),
  });
  const generated = await ensureAdministrator(server.identity, env.VAPI_AUTH_ADMIN_PASSWORD);
  if (generated !== undefined) {
    process.stdout.write(
      `Created ${ADMINISTRATOR} with password ${generated}\n` +
        `(shown once; set VAPI_AUTH_ADMIN_PASSWORD before the first start to choose it, or change it with "vapi-auth user passwd ${ADMINISTRATOR}")\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await server.listen(config.host, config.port);
}
