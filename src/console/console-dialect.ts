import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authentication } from '../auth/authentication.js';
import { BASE_PRIVILEGES } from '../authorization/privileges.js';
import type { Authorizer } from '../authorization/authorizer.js';
import { message } from '../core/messages.js';
import { VapiError } from '../core/errors.js';
import type { OperationTable } from '../core/operation-table.js';
import { displayName } from '../core/principal.js';
import { SCHEMES } from '../core/schemes.js';
import { apiDialect } from '../dialects/api/dialect.js';
import { httpNotFound, sendApiError } from '../dialects/api/errors.js';
import { registerApiDialect } from '../dialects/api/routes.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Engine } from '../engine/invoke.js';
import { logFailure } from '../dialects/log-failure.js';
import { openApiDocument } from '../openapi/openapi-document.js';
import { listConsoleAssets } from './console-assets.js';
import { consoleCredentials, CONSOLE_PATH, csrfToken, hasCsrfToken, renderConsoleSession } from './console-cookies.js';
import { CONSOLE_HEADERS } from './security-headers.js';

/** The operations of the table, for the console: the `/api` dialect again, with the console's session. */
export const CONSOLE_API_PREFIX = `${CONSOLE_PATH}/api`;
export const OPENAPI_PATH = '/api/openapi.json';
/** A page of the console (`/ui/`, `/ui/tasks`): the single-page app's index.html, which shows the page its path names. */
const PAGE = /^([a-z]+)?$/;

export interface ConsoleParts {
  authentication: Authentication;
  authorizer: Authorizer;
  /** Where the built console is. */
  assetsDir: string;
  /** The version the OpenAPI document states. */
  version: string;
}

function csrfRefused(): VapiError {
  return new VapiError('UNAUTHORIZED', [message('com.vmware.vapi.console.csrf', 'The request does not carry the console\'s CSRF token.')], {
    reason: 'console request without its CSRF token',
  });
}

function notBuilt(): VapiError {
  return new VapiError('SERVICE_UNAVAILABLE', [message('com.vmware.vapi.console.not_built', 'The console is not built (npm run build).')]);
}

/**
 * The console's routes that need no CSRF token: its files, its pages and the token itself, all
 * read-only. Every other console route acts with the session and needs it. Told apart by the
 * route a request matched, not by its URL, which may spell the same path otherwise (`/ui/%61pi/…`).
 */
const WITHOUT_CSRF_TOKEN = new Set([CONSOLE_PATH, `${CONSOLE_PATH}/csrf`, `${CONSOLE_PATH}/*`]);

/**
 * The caller's user and the privileges it holds among those this server's operations need, so
 * that the console shows only what the caller may do (the operations check again anyway).
 */
async function whoami(parts: ConsoleParts, table: OperationTable, request: FastifyRequest) {
  const credentials = consoleCredentials(request);
  const principal = await parts.authentication.authenticate([SCHEMES.sessionId], { [SCHEMES.sessionId]: credentials[SCHEMES.sessionId] });
  const held = await parts.authorizer.privilegesOf(principal);
  const known = new Set([...BASE_PRIVILEGES, ...table.declaredPrivileges()]);
  return { user: displayName(principal), privileges: [...known].filter((privilege) => held.has(privilege)).sort() };
}

function registerConsole(scope: FastifyInstance, table: OperationTable, engine: Engine, parts: ConsoleParts): void {
  const assets = listConsoleAssets(parts.assetsDir);
  if (!assets.has('index.html')) scope.log.warn({ dir: parts.assetsDir }, 'the console is not built: /ui answers 503 (npm run build)');
  scope.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) reply.header(name, value);
    reply.header('cache-control', 'no-store');
    if (!WITHOUT_CSRF_TOKEN.has(request.routeOptions.url ?? '') && !hasCsrfToken(request)) {
      const refused = csrfRefused();
      logFailure(request, refused);
      return sendApiError(reply, refused);
    }
    return undefined;
  });
  // A Basic challenge would make the browser ask for a password itself; the console has its own form.
  scope.addHook('onSend', async (_request, reply, payload) => {
    reply.removeHeader('www-authenticate');
    return payload;
  });

  scope.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));
  scope.get(`${CONSOLE_PATH}/csrf`, (request, reply) => reply.type('application/json').send(JSON.stringify({ token: csrfToken(request, reply) })));
  scope.get(`${CONSOLE_PATH}/whoami`, async (request, reply) => {
    try {
      return reply.type('application/json').send(JSON.stringify(await whoami(parts, table, request)));
    } catch (error) {
      return sendApiError(reply, engine.failure(error));
    }
  });
  registerApiDialect(scope, table, engine, { prefix: CONSOLE_API_PREFIX, credentials: consoleCredentials, renderSessionEffect: renderConsoleSession });
  scope.all(`${CONSOLE_API_PREFIX}/*`, (_request, reply) => sendApiError(reply, httpNotFound()));
  scope.get(`${CONSOLE_PATH}/*`, async (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.params as { '*': string })['*'];
    const asset = assets.get(PAGE.test(path) ? 'index.html' : path);
    if (!asset) return sendApiError(reply, assets.has('index.html') ? httpNotFound() : notBuilt());
    // Built file names carry a hash of their content: they never change.
    if (path.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.type(asset.type).send(await readFile(asset.file));
  });
}

/**
 * The web console at `/ui/` (docs/console.md): its built files, its own mount of the `/api`
 * dialect at `/ui/api/…` where its session cookie is the credential and every request carries
 * the CSRF token, and the OpenAPI document at `/api/openapi.json` that its explorer renders.
 */
export function consoleDialect(parts: ConsoleParts): Dialect {
  return {
    name: 'console',
    owns: (_method, path) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`),
    register: (app, { table, engine }) => {
      let document: string | undefined;
      app.get(OPENAPI_PATH, (_request, reply) => {
        document ??= JSON.stringify(openApiDocument(table, parts.version));
        return reply.header('x-content-type-options', 'nosniff').type('application/json').send(document);
      });
      void app.register(async (scope) => registerConsole(scope, table, engine, parts));
    },
    sendError: apiDialect.sendError,
    sendNotFound: apiDialect.sendNotFound,
  };
}
