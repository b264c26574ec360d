import { PRIVILEGES } from '../../authorization/privileges.js';
import { notFound } from '../../core/errors.js';
import type { OperationContext, ServiceDefinition } from '../../core/operations.js';
import { displayName } from '../../core/principal.js';
import { operationInput, t } from '../../core/types.js';
import { userKey } from '../../identity/user-name.js';
import type { Delegation } from '../../authorization/delegation.js';
import { asVapi, CHANGE_ERRORS, LIST_ERRORS } from './admin-errors.js';
import { recordChange, type AdminParts } from './admin-context.js';

export const ADMIN_USERS_SERVICE_ID = 'vapi_auth.users';
const NS = ADMIN_USERS_SERVICE_ID;

const userId = t.id(`${NS}.user`);
/** One user; a struct, so that further kinds of user (and fields) can be added without changing its shape. */
const userInfoType = t.struct(`${NS}.user_info`, { user: t.string, created_time: t.datetime, locked: t.boolean });

/**
 * `vapi_auth.users`: the local users, through the same UserAdministration as `vapi-auth user`. A
 * caller may change only a user who holds no privilege the caller lacks: setting an administrator's
 * password would make the caller one.
 */
export function adminUsersService(parts: AdminParts, delegation: Delegation): ServiceDefinition {
  const { identity, users, access, lockout, audit } = parts;

  /** The store key of an existing user the caller may change. */
  const changeable = async (user: string, context: OperationContext, what: string): Promise<string> => {
    const account = await asVapi(() => identity.find(user));
    if (!account) throw notFound(`${NS}.not_found`, `No user ${user}.`, [user]);
    const own = (await access.permissions()).find((permission) => !permission.group && permission.principal === account.key);
    await delegation.requireHoldsRoles(context, own ? [own.role] : [], `${what} of ${account.key}`);
    return account.key;
  };

  return {
    id: NS,
    privileges: [PRIVILEGES.manageUsers],
    operations: [
      {
        id: 'list',
        input: operationInput(),
        output: t.list(userInfoType),
        errors: LIST_ERRORS,
        privileges: [PRIVILEGES.read],
        api: { method: 'GET', path: '/vapi-auth/users' },
        handler: async () =>
          Promise.all(
            (await identity.list()).map(async (user) => ({
              user: displayName(user),
              created_time: new Date(user.createdAt),
              locked: await lockout.isLocked(user.key),
            })),
          ),
      },
      {
        id: 'create',
        input: operationInput({ user: userId, password: t.secret }),
        output: t.void,
        errors: ['ALREADY_EXISTS', 'INVALID_ARGUMENT', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        audited: true,
        api: { method: 'POST', path: '/vapi-auth/users' },
        handler: async (input: { user: string; password: string }, context) => {
          await asVapi(() => users.add(input.user, input.password));
          recordChange(audit, context, { event: 'user.added', user: userKey(identity.parse(input.user)!) });
        },
      },
      {
        id: 'set_password',
        input: operationInput({ user: userId, password: t.secret }),
        output: t.void,
        errors: CHANGE_ERRORS,
        audited: true,
        api: { method: 'POST', path: '/vapi-auth/users/{user}', action: 'set-password' },
        handler: async (input: { user: string; password: string }, context) => {
          const key = await changeable(input.user, context, 'setting the password');
          await asVapi(() => users.setPassword(input.user, input.password));
          recordChange(audit, context, { event: 'user.password_changed', user: key });
        },
      },
      {
        id: 'unlock',
        input: operationInput({ user: userId }),
        output: t.void,
        errors: CHANGE_ERRORS,
        audited: true,
        api: { method: 'POST', path: '/vapi-auth/users/{user}', action: 'unlock' },
        handler: async (input: { user: string }, context) => {
          const key = await changeable(input.user, context, 'unlocking');
          await lockout.unlock(key);
          recordChange(audit, context, { event: 'user.unlocked', user: key });
        },
      },
      {
        id: 'delete',
        input: operationInput({ user: userId }),
        output: t.void,
        errors: [...CHANGE_ERRORS, 'NOT_ALLOWED_IN_CURRENT_STATE'],
        audited: true,
        api: { method: 'DELETE', path: '/vapi-auth/users/{user}' },
        handler: async (input: { user: string }, context) => {
          const key = await changeable(input.user, context, 'removing');
          await asVapi(() => users.remove(input.user, { keepAnAdministrator: true }));
          recordChange(audit, context, { event: 'user.removed', user: key });
        },
      },
    ],
  };
}
