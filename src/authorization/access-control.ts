import { parseUserName, userKey } from '../identity/user-name.js';
import type { AuthorizationStore, PermissionRecord, UserStore } from '../store/store.js';
import { AuthorizationPolicy, sortPermissions } from './policy.js';
import { BASE_PRIVILEGES, isPrivilegeId, PRIVILEGES } from './privileges.js';
import { customRolePrivileges, isSystemRole, roleNameProblem, SYSTEM_ROLES } from './roles.js';

/**
 * Why a change of roles or permissions was refused: a bad name or privilege (`usage`), a missing
 * thing, one that exists already, a role still given, a system role, or the last Administrator.
 */
export class AccessError extends Error {
  override name = 'AccessError';
  constructor(
    readonly kind: 'usage' | 'missing' | 'exists' | 'in_use' | 'system_role' | 'last_administrator',
    message: string,
  ) {
    super(message);
  }
}

/**
 * `keepAnAdministrator`: refuse a change that leaves no Administrator permission at all, which would
 * lock every caller of the API out of administration; the store checks it in the step that makes the
 * change. The CLI does without: it works on the store itself and can always give Administrator again.
 */
export interface PermissionChangeOptions {
  keepAnAdministrator?: boolean;
}

export interface RoleView {
  name: string;
  system: boolean;
  /** Every privilege of the role; Administrator's are all there are (`all`). */
  privileges: readonly string[] | 'all';
}

export interface PermissionView extends PermissionRecord {
  /** How the principal is shown: `name@DOMAIN`. */
  display: string;
}

const ADMINISTRATOR = 'Administrator';

/** Refusal of a change that would take the last permission giving Administrator. */
function lastAdministrator(principal: string, group: boolean): AccessError {
  return new AccessError('last_administrator', `the permission of ${group ? 'group' : 'user'} ${display(principal)} is the last that gives Administrator`);
}

/** `ops@vsphere.local` → `ops@VSPHERE.LOCAL`. */
function display(principal: string): string {
  const at = principal.lastIndexOf('@');
  return `${principal.slice(0, at)}@${principal.slice(at + 1).toUpperCase()}`;
}

/**
 * Roles and permissions as an administrator changes them (the CLI, an embedding program): names
 * checked, privileges checked against those that exist, a user permission only for a user that exists.
 */
export class AccessControl {
  readonly #store: AuthorizationStore;
  readonly #users: UserStore;
  readonly #domain: string;

  constructor(store: AuthorizationStore, users: UserStore, localDomain: string) {
    this.#store = store;
    this.#users = users;
    this.#domain = localDomain;
  }

  /** The privileges that exist: the base ones, the built-in services', and those every server of this store declares (plugins'). */
  async privileges(): Promise<string[]> {
    return [...new Set([...BASE_PRIVILEGES, ...Object.values(PRIVILEGES), ...(await this.#store.publishedPrivileges())])].sort();
  }

  async roles(): Promise<RoleView[]> {
    const snapshot = await this.#store.snapshot();
    const policy = new AuthorizationPolicy(snapshot);
    const system = SYSTEM_ROLES.map((name) => ({ name, system: true, privileges: policy.privilegesOfRole(name)! }));
    return [...system, ...snapshot.roles.map((role) => ({ name: role.name, system: false, privileges: role.privileges }))];
  }

  async role(name: string): Promise<RoleView> {
    const role = (await this.roles()).find((candidate) => candidate.name === name);
    if (!role) throw new AccessError('missing', `no role ${name}`);
    return role;
  }

  /** Creates a custom role; it always holds the base privileges too. */
  async addRole(name: string, privileges: readonly string[]): Promise<RoleView> {
    const problem = roleNameProblem(name);
    if (problem) throw new AccessError('usage', problem);
    const stored = customRolePrivileges(await this.#known(privileges));
    if (!(await this.#store.createRole({ name, privileges: stored }))) throw new AccessError('exists', `role ${name} exists already`);
    return { name, system: false, privileges: stored };
  }

  /** Replaces the privileges of a custom role. */
  async updateRole(name: string, privileges: readonly string[]): Promise<RoleView> {
    if (isSystemRole(name)) throw new AccessError('system_role', `${name} is a system role and cannot be changed`);
    const stored = customRolePrivileges(await this.#known(privileges));
    if (!(await this.#store.updateRole({ name, privileges: stored }))) throw new AccessError('missing', `no role ${name}`);
    return { name, system: false, privileges: stored };
  }

  async removeRole(name: string): Promise<void> {
    if (isSystemRole(name)) throw new AccessError('system_role', `${name} is a system role and cannot be removed`);
    switch (await this.#store.removeRole(name)) {
      case 'missing':
        throw new AccessError('missing', `no role ${name}`);
      case 'in_use':
        throw new AccessError('in_use', `role ${name} is given by a permission; remove or change that permission first`);
      case 'removed':
        return;
    }
  }

  async permissions(): Promise<PermissionView[]> {
    const { permissions } = await this.#store.snapshot();
    return sortPermissions(permissions).map((permission) => ({ ...permission, display: display(permission.principal) }));
  }

  /** Gives `role` to a user (who must exist, when of the local domain) or a group, replacing its earlier permission. */
  async grant(principal: string, role: string, group = false, options: PermissionChangeOptions = {}): Promise<PermissionView> {
    const key = this.#principalKey(principal);
    const unknownRole = () => new AccessError('usage', `unknown role "${role}"`);
    if (!isSystemRole(role) && !(await this.#store.snapshot()).roles.some((candidate) => candidate.name === role)) throw unknownRole();
    if (!group && key.endsWith(`@${this.#domain}`) && !(await this.#users.get(key))) throw new AccessError('missing', `no user ${principal}`);
    const permission = { principal: key, group, role };
    // The store checks the role again in the same step as it writes (it may have been removed
    // meanwhile), and the last Administrator permission, which concurrent changes could otherwise take together.
    switch (await this.#store.setPermission(permission, options.keepAnAdministrator ? ADMINISTRATOR : undefined)) {
      case 'no_role':
        throw unknownRole();
      case 'last_holder':
        throw lastAdministrator(key, group);
      case 'set':
        return { ...permission, display: display(key) };
    }
  }

  /** Removes the permission of a user or group; false when it had none. */
  async revoke(principal: string, group = false, options: PermissionChangeOptions = {}): Promise<boolean> {
    const key = this.#principalKey(principal);
    const result = await this.#store.removePermission(key, group, options.keepAnAdministrator ? ADMINISTRATOR : undefined);
    if (result === 'last_holder') throw lastAdministrator(key, group);
    return result === 'removed';
  }

  /** The store key of a user or group name in any accepted form; AccessError (`usage`) when it is none. */
  principalKey(principal: string): string {
    return this.#principalKey(principal);
  }

  #principalKey(principal: string): string {
    const qualified = parseUserName(principal, this.#domain);
    if (!qualified) throw new AccessError('usage', `"${principal}" is not a user or group name`);
    return userKey(qualified);
  }

  async #known(privileges: readonly string[]): Promise<readonly string[]> {
    const known = new Set(await this.privileges());
    const unknown = privileges.filter((privilege) => !isPrivilegeId(privilege) || !known.has(privilege));
    if (unknown.length > 0) throw new AccessError('usage', `unknown privilege ${unknown.map((p) => `"${p}"`).join(', ')}`);
    return privileges;
  }
}
