import { isSystemRole } from '../authorization/roles.js';
import type {
  AuthorizationSnapshot,
  AuthorizationStore,
  PermissionRecord,
  RemovePermissionResult,
  RemoveRoleResult,
  RoleRecord,
  SetPermissionResult,
} from './store.js';
import { permissionKey } from './permission-key.js';

/** Roles and permissions in process memory. */
export class MemoryAuthorizationStore implements AuthorizationStore {
  #version = 0;
  readonly #roles = new Map<string, RoleRecord>();
  readonly #permissions = new Map<string, PermissionRecord>();
  readonly #privileges = new Set<string>();

  /** Versions never go back, even across a loss of the store's data: see AuthorizationStore.version. */
  #bump(): void {
    this.#version = Math.max(this.#version + 1, Date.now());
  }

  async version(): Promise<number> {
    return this.#version;
  }

  async snapshot(): Promise<AuthorizationSnapshot> {
    return {
      version: this.#version,
      roles: [...this.#roles.values()].map((role) => ({ name: role.name, privileges: [...role.privileges] })),
      permissions: [...this.#permissions.values()].map((permission) => ({ ...permission })),
    };
  }

  async createRole(role: RoleRecord): Promise<boolean> {
    if (this.#roles.has(role.name)) return false;
    this.#roles.set(role.name, { name: role.name, privileges: [...role.privileges] });
    this.#bump();
    return true;
  }

  async updateRole(role: RoleRecord): Promise<boolean> {
    if (!this.#roles.has(role.name)) return false;
    this.#roles.set(role.name, { name: role.name, privileges: [...role.privileges] });
    this.#bump();
    return true;
  }

  async removeRole(name: string): Promise<RemoveRoleResult> {
    if (!this.#roles.has(name)) return 'missing';
    for (const permission of this.#permissions.values()) if (permission.role === name) return 'in_use';
    this.#roles.delete(name);
    this.#bump();
    return 'removed';
  }

  async setPermission(permission: PermissionRecord, keep?: string): Promise<SetPermissionResult> {
    if (!isSystemRole(permission.role) && !this.#roles.has(permission.role)) return 'no_role';
    const key = permissionKey(permission.principal, permission.group);
    if (permission.role !== keep && this.#lastHolder(key, keep)) return 'last_holder';
    this.#permissions.set(key, { ...permission });
    this.#bump();
    return 'set';
  }

  async removePermission(principal: string, group: boolean, keep?: string): Promise<RemovePermissionResult> {
    const key = permissionKey(principal, group);
    if (!this.#permissions.has(key)) return 'missing';
    if (this.#lastHolder(key, keep)) return 'last_holder';
    this.#permissions.delete(key);
    this.#bump();
    return 'removed';
  }

  /** Whether the permission `key` is the only one giving role `keep`. */
  #lastHolder(key: string, keep: string | undefined): boolean {
    if (keep === undefined || this.#permissions.get(key)?.role !== keep) return false;
    return [...this.#permissions.values()].filter((permission) => permission.role === keep).length === 1;
  }

  async publishPrivileges(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#privileges.add(id);
  }

  async publishedPrivileges(): Promise<string[]> {
    return [...this.#privileges].sort();
  }
}
