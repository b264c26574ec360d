import { existsSync } from 'node:fs';
import type { Flags, ServeConfig } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { jwtKeyFile, jwtPublicPart, openJwtKeyFile } from '../jwt/jwt-signing-key.js';
import { ClusterKeys } from '../keys/cluster-keys.js';
import { PUBLICATION_MARGIN_MS, type PublicPart } from '../keys/published-signing-key.js';
import type { SigningKeyFile } from '../keys/signing-key-file.js';
import { openStsKeyFile, stsKeyFile, stsPublicPart } from '../sso/sts-keys.js';
import type { VerificationKey } from '../store/store.js';
import { adminConfig, printList } from './admin-store.js';
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
  /** Longest life of a token it signs, and the option that sets it. */
  lifetimeMs(config: ServeConfig): number;
  lifetimeFlag: 'token-lifetime' | 'sts-max-lifetime';
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
  lifetimeFlag: 'token-lifetime',
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
  lifetimeFlag: 'sts-max-lifetime',
};

/**
 * `rotate`: a new signing key in the data dir, published first so that every node trusts it before
 * this node's servers sign with it (within seconds, no restart); the old key stays trusted until
 * its tokens have expired. `list`: the keys every node trusts now. `revoke ID`: withdraws a key
 * for good; every node refuses its tokens at their next use.
 */
async function keyCommand<K>(kind: KeyKind<K>, verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const [id] = args;
  const wanted = id === undefined ? undefined : kind.normalizeId(id);
  if (id !== undefined && wanted === undefined) throw new UsageError(`"${id}" is not ${kind.idDoc}`);
  const config = adminConfig(flags, env, [kind.lifetimeFlag]);
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
      case 'list': {
        const signing = await signingHere(kind, config.dataDir, now);
        const keys = (await cluster.trusted(kind.use, now)).map((key) => ({
          id: key.id,
          created: key.createdAt === undefined ? null : new Date(key.createdAt).toISOString(),
          trustedUntil: new Date(key.trustedUntil).toISOString(),
          signsHere: key.id === signing,
        }));
        printList(out, flags, keys, (key) => `${key.id}\ttrusted until ${key.trustedUntil}\tcreated ${key.created ?? 'unknown'}${key.signsHere ? '\tsigns here' : ''}`);
        return;
      }
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

/** The id of the key this data dir's servers sign with; undefined when the data dir has none (it is not created here). */
async function signingHere<K>(kind: KeyKind<K>, dataDir: string, now: number): Promise<string | undefined> {
  if (!existsSync(kind.file(dataDir))) return undefined;
  return kind.publicPart((await kind.open(dataDir, now)).current()).id;
}

/** `vapi-auth keys rotate|list|revoke`: the JWT signing keys. */
export function keysCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  return keyCommand(JWT, verb, args, flags, env, out);
}

/** `vapi-auth sts rotate|list|revoke`: the STS signing keys. */
export function stsCommand(verb: string, args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  return keyCommand(STS, verb, args, flags, env, out);
}
