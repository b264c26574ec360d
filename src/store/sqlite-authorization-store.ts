import type { SqliteReadCache } from './sqlite-change-watch.js';
import type Database from 'better-sqlite3';
import { isSystemRole } from '../authorization/roles.js';
import { guarded } from './sqlite-guard.js';
import type {
  AuthorizationSnapshot,
  AuthorizationStore,
  PermissionRecord,
  RemovePermissionResult,
  RemoveRoleResult,
  RoleRecord,
  SetPermissionResult,
} from './store.js';

export const AUTHORIZATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS roles (
  name TEXT PRIMARY KEY,
  privileges TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS permissions (
  principal TEXT NOT NULL,
  grp INTEGER NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (principal, grp)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS permissions_by_role ON permissions (role);
CREATE TABLE IF NOT EXISTS authz_version (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  version INTEGER NOT NULL
);
INSERT OR IGNORE INTO authz_version (id, version) VALUES (0, 0);
CREATE TABLE IF NOT EXISTS published_privileges (
  id TEXT PRIMARY KEY
) WITHOUT ROWID;
`;

/** Moves the version on (see AuthorizationStore.version); takes the wall time in milliseconds. */
export const BUMP_SQL = 'UPDATE authz_version SET version = max(version + 1, ?) WHERE id = 0';

/** Selects the authorization version; joined into the session read so that it costs no extra step. */
export const AUTHZ_VERSION_SQL = '(SELECT version FROM authz_version WHERE id = 0)';

interface PermissionRow {
  principal: string;
  grp: number;
  role: string;
}

/**
 * Roles and permissions in two tables. Each change runs in an IMMEDIATE transaction that also bumps
 * the version row, so that every process sharing the file sees the change on its next session read.
 */
export class SqliteAuthorizationStore implements AuthorizationStore {
  readonly #version: Database.Statement<[], { version: number }>;
  readonly #snapshot: () => AuthorizationSnapshot;
  readonly #createRole: (role: RoleRecord) => boolean;
  readonly #updateRole: (role: RoleRecord) => boolean;
  readonly #removeRole: (name: string) => RemoveRoleResult;
  readonly #setPermission: (permission: PermissionRecord, keep?: string) => SetPermissionResult;
  readonly #removePermission: (principal: string, group: boolean, keep?: string) => RemovePermissionResult;
  readonly #publish: (ids: readonly string[]) => void;
  readonly #published: Database.Statement<[], { id: string }>;

  /** The version read, while the database is unchanged. */
  readonly #versionCache: SqliteReadCache<number>;

  constructor(db: Database.Database, versionCache: SqliteReadCache<number>) {
    this.#versionCache = versionCache;
    this.#version = db.prepare(`SELECT ${AUTHZ_VERSION_SQL} AS version`);
    const bump = db.prepare(BUMP_SQL);
    const roles = db.prepare<[], { name: string; privileges: string }>('SELECT name, privileges FROM roles ORDER BY name');
    const permissions = db.prepare<[], PermissionRow>('SELECT principal, grp, role FROM permissions ORDER BY grp, principal');
    const snapshot = db.transaction(
      (): AuthorizationSnapshot => ({
        version: this.#version.get()!.version,
        roles: roles.all().map((row) => ({ name: row.name, privileges: JSON.parse(row.privileges) as string[] })),
        permissions: permissions.all().map((row) => ({ principal: row.principal, group: row.grp === 1, role: row.role })),
      }),
    );
    this.#snapshot = () => snapshot.deferred();
    const insertRole = db.prepare('INSERT OR IGNORE INTO roles (name, privileges) VALUES (?, ?)');
    const updateRole = db.prepare('UPDATE roles SET privileges = ? WHERE name = ?');
    const deleteRole = db.prepare('DELETE FROM roles WHERE name = ?');
    const roleUsed = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM permissions WHERE role = ?');
    const roleExists = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM roles WHERE name = ?');
    const upsertPermission = db.prepare(
      'INSERT INTO permissions (principal, grp, role) VALUES (?, ?, ?) ON CONFLICT (principal, grp) DO UPDATE SET role = excluded.role',
    );
    const deletePermission = db.prepare('DELETE FROM permissions WHERE principal = ? AND grp = ?');
    const roleOfPermission = db.prepare<[string, number], { role: string }>('SELECT role FROM permissions WHERE principal = ? AND grp = ?');
    /** Whether the permission of (principal, group) is the only one giving role `keep`. */
    const lastHolder = (principal: string, group: boolean, keep: string | undefined) =>
      keep !== undefined && roleOfPermission.get(principal, group ? 1 : 0)?.role === keep && roleUsed.get(keep)!.n === 1;
    const insertPrivilege = db.prepare('INSERT OR IGNORE INTO published_privileges (id) VALUES (?)');
    this.#published = db.prepare('SELECT id FROM published_privileges ORDER BY id');

    /** Runs `change` in an IMMEDIATE transaction and bumps the version when it reports a change. */
    const changing = <A extends unknown[], R>(change: (...args: A) => R, changed: (result: R) => boolean) => {
      const step = db.transaction((...args: A) => {
        const result = change(...args);
        if (changed(result)) bump.run(Date.now());
        return result;
      });
      return (...args: A) => step.immediate(...args);
    };
    this.#createRole = changing((role: RoleRecord) => insertRole.run(role.name, JSON.stringify(role.privileges)).changes === 1, (ok) => ok);
    this.#updateRole = changing((role: RoleRecord) => updateRole.run(JSON.stringify(role.privileges), role.name).changes === 1, (ok) => ok);
    this.#removeRole = changing(
      (name: string): RemoveRoleResult => {
        if (roleExists.get(name)!.n === 0) return 'missing';
        if (roleUsed.get(name)!.n > 0) return 'in_use';
        deleteRole.run(name);
        return 'removed';
      },
      (result) => result === 'removed',
    );
    this.#setPermission = changing(
      (permission: PermissionRecord, keep?: string): SetPermissionResult => {
        if (!isSystemRole(permission.role) && roleExists.get(permission.role)!.n === 0) return 'no_role';
        if (permission.role !== keep && lastHolder(permission.principal, permission.group, keep)) return 'last_holder';
        upsertPermission.run(permission.principal, permission.group ? 1 : 0, permission.role);
        return 'set';
      },
      (result) => result === 'set',
    );
    this.#removePermission = changing(
      (principal: string, group: boolean, keep?: string): RemovePermissionResult => {
        if (lastHolder(principal, group, keep)) return 'last_holder';
        return deletePermission.run(principal, group ? 1 : 0).changes === 1 ? 'removed' : 'missing';
      },
      (result) => result === 'removed',
    );
    const publish = db.transaction((ids: readonly string[]) => {
      for (const id of ids) insertPrivilege.run(id);
    });
    this.#publish = (ids) => publish.immediate(ids);
  }

  version(): Promise<number> {
    return guarded(() => this.#versionCache.through('version', () => this.#version.get()!.version));
  }

  snapshot(): Promise<AuthorizationSnapshot> {
    return guarded(() => this.#snapshot());
  }

  createRole(role: RoleRecord): Promise<boolean> {
    return guarded(() => this.#createRole(role));
  }

  updateRole(role: RoleRecord): Promise<boolean> {
    return guarded(() => this.#updateRole(role));
  }

  removeRole(name: string): Promise<RemoveRoleResult> {
    return guarded(() => this.#removeRole(name));
  }

  setPermission(permission: PermissionRecord, keep?: string): Promise<SetPermissionResult> {
    return guarded(() => this.#setPermission(permission, keep));
  }

  removePermission(principal: string, group: boolean, keep?: string): Promise<RemovePermissionResult> {
    return guarded(() => this.#removePermission(principal, group, keep));
  }

  publishPrivileges(ids: readonly string[]): Promise<void> {
    return guarded(() => this.#publish(ids));
  }

  publishedPrivileges(): Promise<string[]> {
    return guarded(() => this.#published.all().map((row) => row.id));
  }
}
