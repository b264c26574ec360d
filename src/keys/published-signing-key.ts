import type { VerificationKey } from '../store/store.js';
import type { ClusterKeys } from './cluster-keys.js';
import type { SigningKeyFile } from './signing-key-file.js';

/** What a node publishes of a signing key: its use, id and public material. */
export type PublicPart = Omit<VerificationKey, 'trustedUntil'>;

/**
 * How much longer than the newest token it signed a key is published for: signing then writes to
 * the store once in this span rather than once per token, and a key stays trusted at most this
 * long after every token it signed has expired.
 */
export const PUBLICATION_MARGIN_MS = 5 * 60_000;

/**
 * A node's signing key together with its publication: before a token is signed, the key's public
 * part is published to the cluster for at least as long as the token lives, so that every node
 * can verify the token. A key withdrawn by an operator is replaced by a new one.
 */
export class PublishedSigningKey<K> {
  constructor(
    private readonly file: SigningKeyFile<K>,
    private readonly publicPart: (key: K) => PublicPart,
    /** Every node's published keys, which tokens are verified against. */
    readonly cluster: ClusterKeys,
    private readonly log: { warn(fields: object, message: string): void },
  ) {}

  /** The key to sign a token that is valid until `until`, trusted by every node until then. */
  async forTokenUntil(until: number, now: number): Promise<K> {
    const key = this.file.current();
    if (await this.#covers(key, until, now)) return key;
    if ((await this.#publish(key, until)) === 'published') return key;
    const withdrawn = this.publicPart(key);
    const replacement = await this.file.replaceWithdrawn(key, now);
    this.log.warn({ use: withdrawn.use, id: withdrawn.id, replacement: this.publicPart(replacement).id }, 'signing key withdrawn; signing with another');
    if ((await this.#publish(replacement, until)) === 'published') return replacement;
    throw new Error(`the ${withdrawn.use} signing key ${this.publicPart(replacement).id} is withdrawn too`);
  }

  async #covers(key: K, until: number, now: number): Promise<boolean> {
    const { use, id } = this.publicPart(key);
    return (await this.cluster.trusted(use, now)).some((trusted) => trusted.id === id && trusted.trustedUntil >= until);
  }

  #publish(key: K, until: number): Promise<'published' | 'withdrawn'> {
    return this.cluster.publish({ ...this.publicPart(key), trustedUntil: until + PUBLICATION_MARGIN_MS });
  }
}
