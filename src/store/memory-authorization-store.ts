import { isSystemRole } from '../authorization/roles.js';
import type {
  AuthorizationSnapshot,
  AuthorizationStore,
  PermissionRecord,
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

  async setPermission(permission: PermissionRecord): Promise<SetPermissionResult> {
    if (!isSystemRole(permission.role) && !this.#roles.has(permission.role)) return 'no_role';
    this.#permissions.set(permissionKey(permission.principal, permission.group), { ...permission });
    this.#bump();
    return 'set';
  }

  async removePermission(principal: string, group: boolean): Promise<boolean> {
    if (!this.#permissions.delete(permissionKey(principal, group))) return false;
    this.#bump();
    return true;
  }

  async publishPrivileges(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#privileges.add(id);
  }

  async publishedPrivileges(): Promise<string[]> {
    return [...this.#privileges].sort();
  }
}
