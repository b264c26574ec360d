import type { VerificationKey, VerificationKeyStore } from '../store/store.js';

/** The cluster's trusted keys as read at one version; every key in it is trusted until `staleAt` at least. */
export interface KeySnapshot {
  readonly version: number;
  readonly keys: readonly VerificationKey[];
  readonly staleAt: number;
}

/**
 * The verification keys every node of the cluster has published, as this node last read them.
 * Each use costs one read of the store's version; the keys themselves are read again only when
 * the version has moved (a key published, extended or withdrawn) or one of them has expired.
 */
export class ClusterKeys {
  readonly #store: VerificationKeyStore;
  #snapshot: KeySnapshot | undefined;

  constructor(store: VerificationKeyStore) {
    this.#store = store;
  }

  async snapshot(now: number): Promise<KeySnapshot> {
    const version = await this.#store.version();
    const cached = this.#snapshot;
    if (cached && cached.version === version && now < cached.staleAt) return cached;
    const { version: listed, keys } = await this.#store.list(now);
    this.#snapshot = { version: listed, keys, staleAt: Math.min(...keys.map((key) => key.trustedUntil)) };
    return this.#snapshot;
  }

  /** The trusted keys of one use. */
  async trusted(use: VerificationKey['use'], now: number): Promise<VerificationKey[]> {
    return (await this.snapshot(now)).keys.filter((key) => key.use === use);
  }

  publish(key: VerificationKey): Promise<'published' | 'withdrawn'> {
    return this.#store.publish(key);
  }

  withdraw(use: VerificationKey['use'], id: string, now: number): Promise<boolean> {
    return this.#store.withdraw(use, id, now);
  }
}
