import type { Delegation } from '../../authorization/delegation.js';
import { PRIVILEGE_DESCRIPTIONS, PRIVILEGES } from '../../authorization/privileges.js';
import { isSystemRole } from '../../authorization/roles.js';
import { notFound } from '../../core/errors.js';
import type { OperationContext, ServiceDefinition } from '../../core/operations.js';
import { operationInput, t } from '../../core/types.js';
import { asVapi, LIST_ERRORS } from './admin-errors.js';
import { recordChange, type AdminParts } from './admin-context.js';

export const ADMIN_ROLES_SERVICE_ID = 'vapi_auth.roles';
export const ADMIN_PERMISSIONS_SERVICE_ID = 'vapi_auth.permissions';
export const ADMIN_PRIVILEGES_SERVICE_ID = 'vapi_auth.privileges';

const roleId = t.id(`${ADMIN_ROLES_SERVICE_ID}.role`);
const roleInfoType = t.struct(`${ADMIN_ROLES_SERVICE_ID}.role_info`, { role: t.string, system: t.boolean, privileges: t.list(t.string) });
const principalId = t.id(`${ADMIN_PERMISSIONS_SERVICE_ID}.principal`);
const permissionInfoType = t.struct(`${ADMIN_PERMISSIONS_SERVICE_ID}.permission_info`, { principal: t.string, group: t.boolean, role: t.string });
const privilegeInfoType = t.struct(`${ADMIN_PRIVILEGES_SERVICE_ID}.privilege_info`, { privilege: t.string, description: t.optional(t.string) });


/** Every privilege roles can grant: the store's catalog (every server's operations) and this server's table. */
async function knownPrivileges({ access, declaredPrivileges }: AdminParts): Promise<string[]> {
  return [...new Set([...(await access.privileges()), ...declaredPrivileges()])].sort();
}

/**
 * `vapi_auth.roles`: custom roles beside the system ones, through the same AccessControl as
 * `vapi-auth role`. A caller may put into a role only privileges it holds itself.
 */
export function adminRolesService(parts: AdminParts, delegation: Delegation): ServiceDefinition {
  const { access, audit } = parts;
  const change = async (input: { role: string; privileges: string[] }, context: OperationContext, what: string) => {
    // Unknown privileges are named first (INVALID_ARGUMENT), as the CLI names them; then what the caller may give.
    const known = new Set(await knownPrivileges(parts));
    if (input.privileges.every((privilege) => known.has(privilege))) await delegation.requireHolds(context, input.privileges, `${what} ${input.role}`);
  };
  return {
    id: ADMIN_ROLES_SERVICE_ID,
    privileges: [PRIVILEGES.modifyRoles],
    operations: [
      {
        id: 'list',
        input: operationInput(),
        output: t.list(roleInfoType),
        errors: LIST_ERRORS,
        privileges: [PRIVILEGES.read],
        api: { method: 'GET', path: '/vapi-auth/roles' },
        handler: async () => {
          const all = await knownPrivileges(parts);
          return (await access.roles()).map((role) => ({ role: role.name, system: role.system, privileges: role.privileges === 'all' ? all : [...role.privileges] }));
        },
      },
      {
        id: 'create',
        input: operationInput({ role: roleId, privileges: t.list(t.string) }),
        output: t.void,
        errors: ['ALREADY_EXISTS', 'INVALID_ARGUMENT', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        audited: true,
        api: { method: 'POST', path: '/vapi-auth/roles' },
        handler: async (input: { role: string; privileges: string[] }, context) => {
          await change(input, context, 'creating role');
          await asVapi(() => access.addRole(input.role, input.privileges));
          recordChange(audit, context, { event: 'role.added', target: input.role });
        },
      },
      {
        id: 'update',
        input: operationInput({ role: roleId, privileges: t.list(t.string) }),
        output: t.void,
        errors: ['INVALID_ARGUMENT', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED', 'UNSUPPORTED'],
        audited: true,
        api: { method: 'PUT', path: '/vapi-auth/roles/{role}' },
        handler: async (input: { role: string; privileges: string[] }, context) => {
          if (!isSystemRole(input.role)) await change(input, context, 'changing role');
          await asVapi(() => access.updateRole(input.role, input.privileges));
          recordChange(audit, context, { event: 'role.changed', target: input.role });
        },
      },
      {
        id: 'delete',
        input: operationInput({ role: roleId }),
        output: t.void,
        errors: ['NOT_FOUND', 'RESOURCE_IN_USE', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED', 'UNSUPPORTED'],
        audited: true,
        api: { method: 'DELETE', path: '/vapi-auth/roles/{role}' },
        handler: async (input: { role: string }, context) => {
          await asVapi(() => access.removeRole(input.role));
          recordChange(audit, context, { event: 'role.removed', target: input.role });
        },
      },
    ],
  };
}

/**
 * `vapi_auth.permissions`: which role each user and group has, through the same AccessControl as
 * `vapi-auth permission`. A caller may give a role, and change or take a permission, only where it
 * holds every privilege involved; and no change may take away the last Administrator permission.
 */
export function adminPermissionsService({ access, audit }: AdminParts, delegation: Delegation): ServiceDefinition {
  /** The role of the principal's own permission now, which the caller must hold to change or take it. */
  const requireMayChange = async (principal: string, group: boolean, context: OperationContext) => {
    const key = await asVapi(async () => access.principalKey(principal));
    const current = (await access.permissions()).find((permission) => permission.principal === key && permission.group === group);
    await delegation.requireHoldsRoles(context, current ? [current.role] : [], `changing the permission of ${key}`);
    return { key, current };
  };
  return {
    id: ADMIN_PERMISSIONS_SERVICE_ID,
    privileges: [PRIVILEGES.modifyPermissions],
    operations: [
      {
        id: 'list',
        input: operationInput(),
        output: t.list(permissionInfoType),
        errors: LIST_ERRORS,
        privileges: [PRIVILEGES.read],
        api: { method: 'GET', path: '/vapi-auth/permissions' },
        handler: async () => (await access.permissions()).map(({ display, group, role }) => ({ principal: display, group, role })),
      },
      {
        id: 'set',
        input: operationInput({ principal: principalId, group: t.optional(t.boolean), role: t.string }),
        output: t.void,
        errors: ['INVALID_ARGUMENT', 'NOT_ALLOWED_IN_CURRENT_STATE', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        audited: true,
        api: { method: 'PUT', path: '/vapi-auth/permissions/{principal}' },
        handler: async (input: { principal: string; group?: boolean; role: string }, context) => {
          const group = input.group ?? false;
          const { key } = await requireMayChange(input.principal, group, context);
          await delegation.requireHoldsRoles(context, [input.role], `giving ${input.role} to ${key}`);
          await asVapi(() => access.grant(input.principal, input.role, group, { keepAnAdministrator: true }));
          recordChange(audit, context, { event: 'permission.added', user: key, target: input.role });
        },
      },
      {
        id: 'delete',
        input: operationInput({ principal: principalId, group: t.optional(t.boolean) }),
        output: t.void,
        errors: ['INVALID_ARGUMENT', 'NOT_ALLOWED_IN_CURRENT_STATE', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        audited: true,
        api: { method: 'DELETE', path: '/vapi-auth/permissions/{principal}', query: { group: 'group' } },
        handler: async (input: { principal: string; group?: boolean }, context) => {
          const group = input.group ?? false;
          const { key, current } = await requireMayChange(input.principal, group, context);
          const kind = group ? 'group' : 'user';
          const missing = () => notFound(`${ADMIN_PERMISSIONS_SERVICE_ID}.not_found`, `The ${kind} ${input.principal} has no permission.`, [input.principal]);
          if (!current) throw missing();
          if (!(await asVapi(() => access.revoke(input.principal, group, { keepAnAdministrator: true })))) throw missing();
          recordChange(audit, context, { event: 'permission.removed', user: key });
        },
      },
    ],
  };
}

/** `vapi_auth.privileges`: every privilege roles can grant, with what it allows where known (for a role editor). */
export function adminPrivilegesService(parts: AdminParts): ServiceDefinition {
  return {
    id: ADMIN_PRIVILEGES_SERVICE_ID,
    privileges: [PRIVILEGES.read],
    operations: [
      {
        id: 'list',
        input: operationInput(),
        output: t.list(privilegeInfoType),
        errors: LIST_ERRORS,
        api: { method: 'GET', path: '/vapi-auth/privileges' },
        handler: async () =>
          (await knownPrivileges(parts)).map((privilege) => {
            const description = Object.hasOwn(PRIVILEGE_DESCRIPTIONS, privilege) ? PRIVILEGE_DESCRIPTIONS[privilege] : undefined;
            return { privilege, ...(description !== undefined ? { description } : {}) };
          }),
      },
    ],
  };
}
