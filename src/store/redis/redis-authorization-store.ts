import { runScript } from './lua-script.js';
import type { Redis } from 'ioredis';
import { SYSTEM_ROLES } from '../../authorization/roles.js';
import type {
  AuthorizationSnapshot,
  AuthorizationStore,
  PermissionRecord,
  RemovePermissionResult,
  RemoveRoleResult,
  RoleRecord,
  SetPermissionResult,
} from '../store.js';
import { guarded } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';
import { permissionKey } from '../permission-key.js';

/**
 * Moves the version key on (see AuthorizationStore.version), by Redis's own clock, so that nodes with
 * skewed clocks still agree. Appended to every changing script; `KEYS[N]` is replaced by its key.
 */
export function bumpVersion(key: string): string {
  return `local t = redis.call('TIME')
redis.call('SET', ${key}, math.max(tonumber(redis.call('GET', ${key}) or '0') + 1, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)))`;
}

/** KEYS: roles, version. ARGV: name, privileges JSON, 1 to create (absent) or 0 to update (present). */
const PUT_ROLE = `
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if (ARGV[3] == '1') == exists then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
${bumpVersion('KEYS[2]')}
return 1
`;

/** KEYS: roles, permissions, version. ARGV: name. */
const REMOVE_ROLE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'missing' end
local permissions = redis.call('HVALS', KEYS[2])
for _, role in ipairs(permissions) do if role == ARGV[1] then return 'in_use' end end
redis.call('HDEL', KEYS[1], ARGV[1])
${bumpVersion('KEYS[3]')}
return 'removed'
`;

/**
 * Whether the permission ARGV[1] in hash KEYS[permissions] is the only one giving the role to keep
 * (`keep`, '' for none). Prepended to the permission scripts.
 */
function lastHolder(permissions: string, keep: string): string {
  return `local function last_holder()
  if ${keep} == '' or redis.call('HGET', ${permissions}, ARGV[1]) ~= ${keep} then return false end
  local n = 0
  for _, role in ipairs(redis.call('HVALS', ${permissions})) do if role == ${keep} then n = n + 1 end end
  return n == 1
end`;
}

/** KEYS: roles, permissions, version. ARGV: permission key, role, role to keep ('' for none), then the system role names. */
const SET_PERMISSION = `
${lastHolder('KEYS[2]', 'ARGV[3]')}
local system = false
for i = 4, #ARGV do if ARGV[i] == ARGV[2] then system = true end end
if not system and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return 'no_role' end
if ARGV[2] ~= ARGV[3] and last_holder() then return 'last_holder' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
${bumpVersion('KEYS[3]')}
return 'set'
`;

/** KEYS: permissions, version. ARGV: permission key, role to keep ('' for none). */
const REMOVE_PERMISSION = `
${lastHolder('KEYS[1]', 'ARGV[2]')}
if last_holder() then return 'last_holder' end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 'missing' end
${bumpVersion('KEYS[2]')}
return 'removed'
`;

/** KEYS: version, roles, permissions. */
const SNAPSHOT = `
return { redis.call('GET', KEYS[1]) or '0', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]) }
`;

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** Roles and permissions as two hashes and a counter; every change is one script that also bumps the counter. */
export class RedisAuthorizationStore implements AuthorizationStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  version(): Promise<number> {
    return guarded(async () => Number((await this.#redis.get(this.#keys.authzVersion())) ?? 0));
  }

  snapshot(): Promise<AuthorizationSnapshot> {
    const k = this.#keys;
    return guarded(async () => {
      const [version, roles, permissions] = (await runScript(this.#redis, SNAPSHOT, 3, k.authzVersion(), k.roles(), k.permissions())) as [string, string[], string[]];
      return {
        version: Number(version),
        roles: pairs(roles)
          .map(([name, privileges]) => ({ name, privileges: JSON.parse(privileges) as string[] }))
          .sort((a, b) => (a.name < b.name ? -1 : 1)),
        permissions: pairs(permissions).map(([key, role]) => ({ principal: key.slice(2), group: key.startsWith('g:'), role })),
      };
    });
  }

  createRole(role: RoleRecord): Promise<boolean> {
    return this.#putRole(role, true);
  }

  updateRole(role: RoleRecord): Promise<boolean> {
    return this.#putRole(role, false);
  }

  #putRole(role: RoleRecord, create: boolean): Promise<boolean> {
    const k = this.#keys;
    return guarded(
      async () => (await runScript(this.#redis, PUT_ROLE, 2, k.roles(), k.authzVersion(), role.name, JSON.stringify(role.privileges), create ? '1' : '0')) === 1,
    );
  }

  removeRole(name: string): Promise<RemoveRoleResult> {
    const k = this.#keys;
    return guarded(async () => (await runScript(this.#redis, REMOVE_ROLE, 3, k.roles(), k.permissions(), k.authzVersion(), name)) as RemoveRoleResult);
  }

  setPermission(permission: PermissionRecord, keep = ''): Promise<SetPermissionResult> {
    const k = this.#keys;
    const key = permissionKey(permission.principal, permission.group);
    return guarded(
      async () =>
        (await runScript(this.#redis, SET_PERMISSION, 3, k.roles(), k.permissions(), k.authzVersion(), key, permission.role, keep, ...SYSTEM_ROLES)) as SetPermissionResult,
    );
  }

  removePermission(principal: string, group: boolean, keep = ''): Promise<RemovePermissionResult> {
    const k = this.#keys;
    return guarded(async () => (await runScript(this.#redis, REMOVE_PERMISSION, 2, k.permissions(), k.authzVersion(), permissionKey(principal, group), keep)) as RemovePermissionResult);
  }

  publishPrivileges(ids: readonly string[]): Promise<void> {
    return guarded(async () => {
      if (ids.length > 0) await this.#redis.sadd(this.#keys.publishedPrivileges(), ...ids);
    });
  }

  publishedPrivileges(): Promise<string[]> {
    return guarded(async () => (await this.#redis.smembers(this.#keys.publishedPrivileges())).sort());
  }
}
