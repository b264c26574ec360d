import type { Principal } from '../core/principal.js';
import type { AuthorizationStore } from '../store/store.js';
import { AuthorizationPolicy, type PrivilegeSet } from './policy.js';

/**
 * The policy of this process, reloaded only when the store's version moved. The version comes with
 * the session read (no extra store step); for other credentials it is read here.
 */
export class Authorizer {
  readonly #store: AuthorizationStore;
  #policy: AuthorizationPolicy | undefined;
  #loading: Promise<AuthorizationPolicy> | undefined;

  constructor(store: AuthorizationStore) {
    this.#store = store;
  }

  /** The policy at `version` or later (the store's current version when not given). */
  async policy(version?: number): Promise<AuthorizationPolicy> {
    const wanted = version ?? (await this.#store.version());
    const current = this.#policy;
    // Version 0 after a cached later one: the store lost its data; what was cached no longer holds.
    if (current && current.version >= wanted && !(wanted === 0 && current.version > 0)) return current;
    // Concurrent requests that see the same change share one reload.
    this.#loading ??= this.#store
      .snapshot()
      .then((snapshot) => {
        const loaded = new AuthorizationPolicy(snapshot);
        if (!this.#policy || loaded.version >= this.#policy.version || loaded.version === 0) this.#policy = loaded;
        return loaded;
      })
      .finally(() => {
        this.#loading = undefined;
      });
    const loaded = await this.#loading;
    return loaded.version >= wanted || wanted === 0 ? loaded : this.policy(wanted);
  }

  async privilegesOf(principal: Principal): Promise<PrivilegeSet> {
    return (await this.policy(principal.authzVersion)).privilegesOf(principal);
  }

  /** Whether `principal` holds the Administrator role (by its own or a group permission). */
  async isAdministrator(principal: Pick<Principal, 'userKey' | 'groups' | 'authzVersion'>): Promise<boolean> {
    return (await this.policy(principal.authzVersion)).rolesOf(principal).includes('Administrator');
  }
}
