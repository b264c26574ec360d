import { PRIVILEGES } from '../../authorization/privileges.js';
import { invalidArgument, notFound } from '../../core/errors.js';
import type { ServiceDefinition } from '../../core/operations.js';
import { displayName } from '../../core/principal.js';
import { operationInput, t } from '../../core/types.js';
import { isHandlePrefix, MIN_HANDLE_PREFIX, sessionByHandle, sessionHandle } from '../../sessions/session-handle.js';
import type { SessionRecord, UserRecord } from '../../store/store.js';
import { recordChange, type AdminParts } from './admin-context.js';
import { CHANGE_ERRORS, LIST_ERRORS } from './admin-errors.js';

export const ADMIN_SESSIONS_SERVICE_ID = 'vapi_auth.sessions';
const NS = ADMIN_SESSIONS_SERVICE_ID;

const sessionInfoType = t.struct(`${NS}.session_info`, {
  session: t.string,
  user: t.string,
  created_time: t.datetime,
  last_accessed_time: t.datetime,
  scheme: t.optional(t.string),
  client_address: t.optional(t.string),
  current: t.boolean,
});

/** The owner of a session as users are shown: the directory's or the account's spelling of the name, the domain upper-case. */
function ownerOf(session: SessionRecord, accounts: ReadonlyMap<string, UserRecord>): string {
  const account = session.directory ?? accounts.get(session.userKey);
  if (account) return displayName(account);
  const at = session.userKey.lastIndexOf('@');
  return displayName({ name: session.userKey.slice(0, at), domain: session.userKey.slice(at + 1) });
}

/**
 * `vapi_auth.sessions`: the live sessions of every node (they are in the shared store), and ending
 * one. A session is named by its handle, a prefix of the SHA-256 its store key is, as the CLI shows it:
 * the session id itself exists nowhere but at its client.
 */
export function adminSessionsService({ store, sessions, audit }: AdminParts): ServiceDefinition {
  return {
    id: NS,
    operations: [
      {
        id: 'list',
        input: operationInput(),
        output: t.list(sessionInfoType),
        errors: LIST_ERRORS,
        privileges: [PRIVILEGES.read],
        api: { method: 'GET', path: '/vapi-auth/sessions' },
        handler: async (_input, { principal, clock }) => {
          const accounts = new Map((await store.users.list()).map((user) => [user.key, user]));
          return (await store.sessions.list(clock.now())).map((session) => ({
            session: sessionHandle(session),
            user: ownerOf(session, accounts),
            created_time: new Date(session.createdAt),
            last_accessed_time: new Date(session.lastAccessedAt),
            ...(session.scheme !== undefined ? { scheme: session.scheme } : {}),
            ...(session.clientAddress !== undefined ? { client_address: session.clientAddress } : {}),
            current: session.key === principal.session?.key,
          }));
        },
      },
      {
        id: 'delete',
        input: operationInput({ session: t.id(`${NS}.session`) }),
        output: t.void,
        errors: CHANGE_ERRORS,
        privileges: [PRIVILEGES.terminateSession],
        audited: true,
        api: { method: 'DELETE', path: '/vapi-auth/sessions/{session}' },
        handler: async (input: { session: string }, context) => {
          const prefix = input.session.toLowerCase();
          if (!isHandlePrefix(prefix)) {
            throw invalidArgument(`${NS}.invalid_handle`, `A session is named by ${MIN_HANDLE_PREFIX} to 64 hex characters of its handle, as list shows it.`, ['session']);
          }
          const match = await sessionByHandle(store.sessions, prefix, context.clock.now());
          if (match.kind === 'several') {
            throw invalidArgument(`${NS}.ambiguous_handle`, `${match.count} sessions start with ${prefix}: give more of the handle.`, [prefix, String(match.count)]);
          }
          if (match.kind === 'none' || !(await sessions.delete(match.session.key))) {
            throw notFound(`${NS}.not_found`, `No live session starts with ${prefix}.`, [prefix]);
          }
          recordChange(audit, context, { event: 'session.revoked', user: match.session.userKey, target: sessionHandle(match.session) });
        },
      },
    ],
  };
}
