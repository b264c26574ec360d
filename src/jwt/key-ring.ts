import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { restrictToOwner } from '../fs/owner-only.js';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** The one signing algorithm; verifiers accept nothing else, so `none` and HS/RS confusion cannot be expressed. */
export const JWT_ALGORITHM = 'EdDSA';

interface StoredKey {
  kid: string;
  createdAt: number;
  privateJwk: JWK;
  publicJwk: JWK;
}

interface KeyFile {
  keys: StoredKey[];
}

async function newKey(now: number): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: JWT_ALGORITHM, use: 'sig' };
  return { kid, createdAt: now, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: JWT_ALGORITHM }, publicJwk };
}

/**
 * The JWT signing keys: the newest signs, all listed keys verify. Kept in one file (mode 0600) in
 * the data dir; `rotate` adds a key and drops those retired longer than the longest token
 * lifetime ago, so tokens signed before a rotation stay valid until they expire. A running server
 * notices a rotation by the file's modification time.
 */
export class KeyRing {
  readonly #file: string | undefined;
  #keys: StoredKey[];
  #mtimeMs = 0;
  #checkedAt = 0;

  private constructor(file: string | undefined, keys: StoredKey[]) {
    this.#file = file;
    this.#keys = keys;
  }

  /** The ring in `file`, created with one key when missing. */
  static async open(file: string, now: number): Promise<KeyRing> {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeKeyFile(file, { keys: [await newKey(now)] });
    }
    // A file copied in from another node often arrives readable by all; it holds private keys.
    restrictToOwner(file);
    const ring = new KeyRing(file, []);
    ring.#load();
    return ring;
  }

  /** A ring that lives in memory only (tests, embedding without a data dir). */
  static async ephemeral(now: number): Promise<KeyRing> {
    return new KeyRing(undefined, [await newKey(now)]);
  }

  /** Adds a new signing key; returns its id. */
  async rotate(now: number, maxTokenLifetimeMs: number): Promise<string> {
    this.#reloadIfChanged(0);
    const key = await newKey(now);
    // Keys are kept in rotation order, newest last. A key is retired when its successor is created;
    // it verifies until every token it signed has expired.
    const all = [...this.#keys, key];
    this.#keys = all.filter((_, i) => i === all.length - 1 || all[i + 1]!.createdAt + maxTokenLifetimeMs > now);
    if (this.#file) writeKeyFile(this.#file, { keys: this.#keys });
    return key.kid;
  }

  async signingKey(): Promise<{ kid: string; key: Awaited<ReturnType<typeof importJWK>> }> {
    this.#reloadIfChanged();
    const newest = this.#keys[this.#keys.length - 1]!;
    return { kid: newest.kid, key: await importJWK(newest.privateJwk, JWT_ALGORITHM) };
  }

  /** The public keys, as a JWKS document other services can verify with. */
  jwks(): { keys: JWK[] } {
    this.#reloadIfChanged();
    return { keys: this.#keys.map((k) => k.publicJwk) };
  }

  #load(): void {
    const file = this.#file!;
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    } catch (error) {
      throw new Error(`${file} is not a JWT key file: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed?.keys) || parsed.keys.length === 0) throw new Error(`${file} holds no JWT signing key`);
    this.#keys = parsed.keys;
    this.#mtimeMs = statSync(file).mtimeMs;
  }

  #reloadIfChanged(throttleMs = 2000): void {
    if (!this.#file) return;
    // Wall time, not the injected clock: this only paces polling of the file, and decides no expiry.
    const now = Date.now();
    if (now - this.#checkedAt < throttleMs) return;
    this.#checkedAt = now;
    if (statSync(this.#file).mtimeMs !== this.#mtimeMs) this.#load();
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
function writeKeyFile(file: string, content: KeyFile): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
