/**
 * Every key the Redis store uses. All carry the same hash tag, `{vapi-auth}`, so that the atomic
 * scripts that touch several keys (the session caps, task indexes) also work on Redis Cluster:
 * the state lives in one slot, and scales with replicas rather than shards.
 */
export class RedisKeys {
  readonly #prefix: string;

  constructor(namespace = 'vapi-auth') {
    this.#prefix = `{${namespace}}:`;
  }

  session(key: string): string {
    return `${this.#prefix}s:${key}`;
  }
  /** Sorted set of one user's sessions, scored by expiry. */
  userSessions(userKey: string): string {
    return `${this.#prefix}su:${userKey}`;
  }
  /** Sorted set of all sessions, scored by expiry. */
  allSessions(): string {
    return `${this.#prefix}sa`;
  }
  user(key: string): string {
    return `${this.#prefix}u:${key}`;
  }
  users(): string {
    return `${this.#prefix}users`;
  }
  /** The key of the solution user holding a certificate, by the SHA-256 of its DER (hex). */
  userByCertificate(thumbprint: string): string {
    return `${this.#prefix}uc:${thumbprint}`;
  }
  /** An expiring value of the key-value store. */
  value(key: string): string {
    return `${this.#prefix}kv:${key}`;
  }
  /** A fixed-window counter of the key-value store. */
  counter(key: string): string {
    return `${this.#prefix}kc:${key}`;
  }
  /** A bounded set of the key-value store: member ids scored by expiry, and their groups. */
  claims(key: string): string {
    return `${this.#prefix}kb:${key}`;
  }
  claimGroups(key: string): string {
    return `${this.#prefix}kg:${key}`;
  }
  /** Published verification keys: `use:id` → the key as JSON; scored by trustedUntil; withdrawn ids; the set's version. */
  verificationKeys(): string {
    return `${this.#prefix}vk`;
  }
  verificationKeysTrusted(): string {
    return `${this.#prefix}vkt`;
  }
  verificationKeysWithdrawn(): string {
    return `${this.#prefix}vkw`;
  }
  verificationKeysVersion(): string {
    return `${this.#prefix}vkv`;
  }
  task(id: string): string {
    return `${this.#prefix}t:${id}`;
  }
  /** Sorted sets of task ids scored by creation: all, per service, per user. */
  tasksAll(): string {
    return `${this.#prefix}ta`;
  }
  tasksByService(service: string): string {
    return `${this.#prefix}ts:${service}`;
  }
  tasksByUser(userKey: string): string {
    return `${this.#prefix}tu:${userKey}`;
  }
  /** Unfinished tasks scored by their last heartbeat. */
  tasksActive(): string {
    return `${this.#prefix}tact`;
  }
  /** Finished tasks scored by when they expire. */
  tasksExpiring(): string {
    return `${this.#prefix}texp`;
  }
  /** The authorization version counter, bumped by every role or permission change. */
  authzVersion(): string {
    return `${this.#prefix}av`;
  }
  /** Hash of custom roles: name → JSON list of privileges. */
  roles(): string {
    return `${this.#prefix}ar`;
  }
  /** Hash of permissions: `u:<principal>` or `g:<principal>` → role. */
  permissions(): string {
    return `${this.#prefix}ap`;
  }
  /** Set of the privileges the servers declare. */
  publishedPrivileges(): string {
    return `${this.#prefix}apriv`;
  }
  /** Hash of kept privilege checks: number → JSON record. */
  privilegeChecks(): string {
    return `${this.#prefix}pc`;
  }
  /** The numbers of the last appended and the oldest kept privilege check. */
  privilegeCheckBounds(): string {
    return `${this.#prefix}pcb`;
  }
}
