import { BASE_PRIVILEGES } from './privileges.js';

/** Roles that exist on every server and cannot be changed or removed. */
export const SYSTEM_ROLES = ['Administrator', 'ReadOnly', 'NoAccess'] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

export function isSystemRole(name: string): name is SystemRole {
  return (SYSTEM_ROLES as readonly string[]).includes(name);
}

/** The privileges of a system role; `all` for Administrator, who holds every privilege there is. */
export function systemRolePrivileges(role: SystemRole): readonly string[] | 'all' {
  switch (role) {
    case 'Administrator':
      return 'all';
    case 'ReadOnly':
      return [...BASE_PRIVILEGES].sort();
    case 'NoAccess':
      return [];
  }
}

/**
 * A custom role's name: 1 to 64 letters, digits, spaces, `_`, `-` and `.`, starting with a letter or
 * digit and not ending in a space; not a system role's name in any case.
 */
const ROLE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/;

export function roleNameProblem(name: string): string | undefined {
  if (!ROLE_NAME.test(name)) return `"${name}" is not a role name (1 to 64 letters, digits, spaces, "_", "-" or ".")`;
  if (SYSTEM_ROLES.some((role) => role.toLowerCase() === name.toLowerCase())) return `"${name}" is a system role`;
  return undefined;
}

/** A custom role's privileges as stored: the given ones plus the base privileges, sorted, once each. */
export function customRolePrivileges(privileges: readonly string[]): string[] {
  return [...new Set([...BASE_PRIVILEGES, ...privileges])].sort();
}
