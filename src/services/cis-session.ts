import { unauthenticated } from '../core/errors.js';
import type { ServiceDefinition } from '../core/operations.js';
import { displayName, type Principal } from '../core/principal.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';
import { operationInput, t } from '../core/types.js';
import type { SessionService } from '../sessions/session-service.js';
import type { DirectorySessionAccount } from '../store/store.js';

export const SESSION_SERVICE_ID = 'com.vmware.cis.session';

export const sessionInfoType = t.struct('com.vmware.cis.session.info', {
  user: t.string,
  created_time: t.datetime,
  last_accessed_time: t.datetime,
});

const SESSION_ERRORS = ['UNAUTHENTICATED', 'SERVICE_UNAVAILABLE'] as const;

/** What a session keeps of a directory user (who has no user record); undefined for a local user. */
function directoryAccount({ name, domain, groups, groupsReadAt }: Principal): DirectorySessionAccount | undefined {
  return groupsReadAt === undefined ? undefined : { name, domain, groups: [...(groups ?? [])], groupsReadAt };
}

function currentSession(principal: Principal) {
  // Only reachable through session_id, which always carries the session; kept as a guard.
  if (!principal.session) throw unauthenticated('operation needs a session');
  return principal.session;
}

/**
 * `com.vmware.cis.session`: create, get, delete (session.md). `createSchemes`: the credentials a
 * session may be created from (user_pass, and a JWT bearer token where those are enabled).
 */
export function cisSessionService(sessions: SessionService, createSchemes: readonly SchemeId[]): ServiceDefinition {
  return {
    id: SESSION_SERVICE_ID,
    // get and delete act on the session itself, so only a session id can name it.
    schemes: [SCHEMES.sessionId],
    // Logging in, reading and ending one's own session need no privilege beyond authentication.
    privileges: [],
    operations: [
      {
        id: 'create',
        input: operationInput(),
        output: t.secret,
        errors: SESSION_ERRORS,
        schemes: createSchemes,
        api: { method: 'POST', path: '/session', status: 201 },
        sessionEffect: 'created',
        handler: async (_input, { principal, clientAddress }) => {
          const directory = directoryAccount(principal);
          return sessions.create(principal.userKey, principal.notAfter, {
            scheme: principal.scheme,
            ...(clientAddress !== undefined ? { clientAddress } : {}),
            ...(directory ? { directory } : {}),
          });
        },
      },
      {
        id: 'get',
        input: operationInput(),
        output: sessionInfoType,
        errors: SESSION_ERRORS,
        api: { method: 'GET', path: '/session' },
        handler: async (_input, { principal }) => {
          const session = currentSession(principal);
          return {
            user: displayName(principal),
            created_time: new Date(session.createdAt),
            last_accessed_time: new Date(session.lastAccessedAt),
          };
        },
      },
      {
        id: 'delete',
        input: operationInput(),
        output: t.void,
        errors: SESSION_ERRORS,
        api: { method: 'DELETE', path: '/session', status: 204 },
        sessionEffect: 'ended',
        handler: async (_input, { principal }) => {
          await sessions.delete(currentSession(principal).key);
        },
      },
    ],
  };
}
