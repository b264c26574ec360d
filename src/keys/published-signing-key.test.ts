import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { ClusterKeys } from './cluster-keys.js';
import { PUBLICATION_MARGIN_MS, PublishedSigningKey } from './published-signing-key.js';
import { testKeyCodec as codec } from '../../test/helpers/test-key-codec.js';
import { SigningKeyFile } from './signing-key-file.js';

const publicPart = (key: { id: string }) => ({ use: 'jwt' as const, id: key.id, material: `public ${key.id}` });
const warnings: string[] = [];
const log = { warn: (_fields: object, message: string) => void warnings.push(message) };

async function node(store: MemoryStore) {
  return new PublishedSigningKey(await SigningKeyFile.ephemeral(codec, 0), publicPart, new ClusterKeys(store.verificationKeys), log);
}

describe('a published signing key', () => {
  it('is trusted by every node sharing the store before it signs, for as long as the token lives', async () => {
    const store = new MemoryStore();
    const [a, b] = [await node(store), await node(store)];
    const key = await a.forTokenUntil(10_000, 0);
    expect(await b.cluster.trusted('jwt', 9_999 + PUBLICATION_MARGIN_MS)).toEqual([{ ...publicPart(key), trustedUntil: 10_000 + PUBLICATION_MARGIN_MS }]);
  });

  it('writes to the store again only when a token would outlive the publication', async () => {
    const store = new MemoryStore();
    const a = await node(store);
    await a.forTokenUntil(10_000, 0);
    const version = await store.verificationKeys.version();
    await a.forTokenUntil(10_000 + PUBLICATION_MARGIN_MS, 1);
    expect(await store.verificationKeys.version()).toBe(version);
    await a.forTokenUntil(10_001 + PUBLICATION_MARGIN_MS, 2);
    expect(await store.verificationKeys.version()).not.toBe(version);
    expect((await a.cluster.trusted('jwt', 0))[0]!.trustedUntil).toBe(10_001 + 2 * PUBLICATION_MARGIN_MS);
  });

  it('is replaced by a new key once withdrawn, which every node then trusts instead', async () => {
    const store = new MemoryStore();
    const [a, b] = [await node(store), await node(store)];
    const withdrawn = await a.forTokenUntil(10_000, 0);
    await b.cluster.withdraw('jwt', withdrawn.id, 0);
    const replacement = await a.forTokenUntil(10_000, 0);
    expect(replacement.id).not.toBe(withdrawn.id);
    expect((await b.cluster.trusted('jwt', 0)).map((key) => key.id)).toEqual([replacement.id]);
    expect(warnings).toContain('signing key withdrawn; signing with another');
  });

  it('is no longer trusted once its publication has run out', async () => {
    const store = new MemoryStore();
    const a = await node(store);
    await a.forTokenUntil(10_000, 0);
    expect(await a.cluster.trusted('jwt', 10_000 + PUBLICATION_MARGIN_MS - 1)).toHaveLength(1);
    expect(await a.cluster.trusted('jwt', 10_000 + PUBLICATION_MARGIN_MS)).toEqual([]);
  });
});
