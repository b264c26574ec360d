import { envName, resolveConfig, type Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { jwtKeyFile, jwtPublicPart, openJwtKeyFile } from '../jwt/jwt-signing-key.js';
import { ClusterKeys } from '../keys/cluster-keys.js';
import { PUBLICATION_MARGIN_MS, type PublicPart } from '../keys/published-signing-key.js';
import type { SigningKeyFile } from '../keys/signing-key-file.js';
import { openStsKeyFile, stsKeyFile, stsPublicPart } from '../sso/sts-keys.js';
import type { VerificationKey } from '../store/store.js';
import { openPersistentStore } from './persistent-store.js';
import { openCliAudit } from './cli-audit.js';
import { UsageError } from './usage-error.js';

/** One kind of signing key as the `keys` and `sts` commands manage it. */
interface KeyKind<K> {
  command: 'keys' | 'sts';
  use: VerificationKey['use'];
  /** "JWT key", "STS certificate". */
  what: string;
  idName: string;
  /** What the id is, in errors. */
  idDoc: string;
  /** The id as the store knows it, or undefined when `text` cannot be one. */
  normalizeId(text: string): string | undefined;
  file(dataDir: string): string;
  open(dataDir: string, now: number): Promise<SigningKeyFile<K>>;
  publicPart(key: K): PublicPart;
  /** Longest life of a token it signs. */
  lifetimeMs(config: ReturnType<typeof resolveConfig>): number;
}

const JWT: KeyKind<Parameters<typeof jwtPublicPart>[0]> = {
  command: 'keys',
  use: 'jwt',
  what: 'JWT key',
  idName: 'KID',
  idDoc: 'a JWT key id (kid)',
  normalizeId: (text) => (/^[A-Za-z0-9_-]{1,128}$/.test(text) ? text : undefined),
  file: jwtKeyFile,
  open: openJwtKeyFile,
  publicPart: jwtPublicPart,
  lifetimeMs: (config) => config.tokenLifetimeMs,
};

const STS: KeyKind<Parameters<typeof stsPublicPart>[0]> = {
  command: 'sts',
  use: 'sts',
  what: 'STS certificate',
  idName: 'FINGERPRINT',
  idDoc: 'the SHA-256 fingerprint of an STS certificate',
  // The SHA-256 fingerprint as node:crypto and openssl print it (`AB:CD:…`), colons and case optional.
  normalizeId(text) {
    const hex = text.replaceAll(':', '').toUpperCase();
    return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : undefined;
  },
  file: stsKeyFile,
  open: openStsKeyFile,
  publicPart: stsPublicPart,
  lifetimeMs: (config) => config.stsMaxLifetimeMs,
};

/**
 * `rotate`: a new signing key in the data dir, published first so that every node trusts it before
 * this node's servers sign with it (within seconds, no restart); the old key stays trusted until
 * its tokens have expired. `list`: the keys every node trusts now. `revoke ID`: withdraws a key
 * for good; every node refuses its tokens at their next use.
 */
async function keyCommand<K>(kind: KeyKind<K>, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [verb, id, ...extra] = args;
  const usage = `usage: vapi-auth ${kind.command} rotate | list | revoke ${kind.idName} [--data-dir DIR] [--store sqlite|redis://…] (or ${envName('data-dir')}, ${envName('store')})`;
  if (!['rotate', 'list', 'revoke'].includes(verb ?? '') || extra.length > 0 || (verb === 'revoke') !== (id !== undefined)) throw new UsageError(usage);
  const wanted = id === undefined ? undefined : kind.normalizeId(id);
  if (id !== undefined && wanted === undefined) throw new UsageError(`"${id}" is not ${kind.idDoc}`);
  const config = resolveConfig(flags, env);
  const store = await openPersistentStore(config.store, config.dataDir, `${kind.command} commands`);
  const cluster = new ClusterKeys(store.verificationKeys);
  const now = systemClock.now();
  const audit = openCliAudit(flags, env);
  try {
    switch (verb) {
      case 'rotate': {
        const file = await kind.open(config.dataDir, now);
        const key = await file.generate(now);
        const published = kind.publicPart(key);
        await cluster.publish({ ...published, trustedUntil: now + kind.lifetimeMs(config) + PUBLICATION_MARGIN_MS });
        await file.replace(key);
        audit.record({ event: 'key.rotated', target: `${kind.use}:${published.id}` });
        out.write(`New ${kind.what} ${published.id} in ${kind.file(config.dataDir)}: trusted by every node now, signing here within seconds\n`);
        return;
      }
      case 'list':
        for (const key of await cluster.trusted(kind.use, now)) out.write(`${key.id}\ttrusted until ${new Date(key.trustedUntil).toISOString()}\n`);
        return;
      default: {
        const trusted = await cluster.withdraw(kind.use, wanted!, now);
        audit.record({ event: 'key.revoked', target: `${kind.use}:${wanted}` });
        if (!trusted) throw new Error(`no trusted ${kind.what} ${wanted}; it is withdrawn all the same and will never be trusted`);
        out.write(`Withdrew ${kind.what} ${wanted}: every node refuses its tokens from now on\n`);
      }
    }
  } finally {
    audit.close();
    await store.close();
  }
}

/** `vapi-auth keys rotate|list|revoke`: the JWT signing keys. */
export function keysCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  return keyCommand(JWT, args, flags, env, out);
}

/** `vapi-auth sts rotate|list|revoke`: the STS signing keys. */
export function stsCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  return keyCommand(STS, args, flags, env, out);
}
