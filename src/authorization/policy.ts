import type { Principal } from '../core/principal.js';
import type { AuthorizationSnapshot, PermissionRecord } from '../store/store.js';
import { isSystemRole, systemRolePrivileges } from './roles.js';

/** The privileges a caller holds. */
export interface PrivilegeSet {
  has(privilege: string): boolean;
}

const EVERY_PRIVILEGE: PrivilegeSet = { has: () => true };
const NO_PRIVILEGE: PrivilegeSet = { has: () => false };

function setOf(privileges: Iterable<string>): PrivilegeSet {
  const set = new Set(privileges);
  return { has: (privilege) => set.has(privilege) };
}

/**
 * Roles and permissions as of one version, answering what a principal may do (authorization.md §1):
 * the role of the user's own permission; without one, the union of its groups' roles.
 */
export class AuthorizationPolicy {
  readonly version: number;
  readonly #roles = new Map<string, readonly string[] | 'all'>();
  readonly #users = new Map<string, string>();
  readonly #groups = new Map<string, string>();
  /** Computed sets, per principal and groups; a policy lives until the next change, so this stays small. */
  readonly #cache = new Map<string, PrivilegeSet>();

  constructor(snapshot: AuthorizationSnapshot) {
    this.version = snapshot.version;
    for (const role of snapshot.roles) this.#roles.set(role.name, role.privileges);
    for (const permission of snapshot.permissions) (permission.group ? this.#groups : this.#users).set(permission.principal, permission.role);
  }

  /** The roles that give `principal` its privileges. */
  rolesOf(principal: Pick<Principal, 'userKey' | 'groups'>): string[] {
    const own = this.#users.get(principal.userKey);
    if (own !== undefined) return [own];
    const roles = new Set<string>();
    for (const group of principal.groups ?? []) {
      const role = this.#groups.get(group);
      if (role !== undefined) roles.add(role);
    }
    return [...roles].sort();
  }

  privilegesOf(principal: Pick<Principal, 'userKey' | 'groups'>): PrivilegeSet {
    const cacheKey = principal.groups?.length ? `${principal.userKey}\u0000${principal.groups.join('\u0000')}` : principal.userKey;
    let set = this.#cache.get(cacheKey);
    if (!set) {
      set = this.#union(this.rolesOf(principal));
      this.#cache.set(cacheKey, set);
    }
    return set;
  }

  /** The privileges of a role by name; undefined for no such role. */
  privilegesOfRole(name: string): readonly string[] | 'all' | undefined {
    return isSystemRole(name) ? systemRolePrivileges(name) : this.#roles.get(name);
  }

  #union(roles: readonly string[]): PrivilegeSet {
    const all = new Set<string>();
    for (const role of roles) {
      const privileges = this.privilegesOfRole(role);
      if (privileges === 'all') return EVERY_PRIVILEGE;
      for (const privilege of privileges ?? []) all.add(privilege);
    }
    return all.size === 0 ? NO_PRIVILEGE : setOf(all);
  }
}

/** Permissions in the order they are listed: users, then groups, each by principal. */
export function sortPermissions(permissions: readonly PermissionRecord[]): PermissionRecord[] {
  return [...permissions].sort((a, b) => Number(a.group) - Number(b.group) || (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0));
}
