import { readFileSync, statSync } from 'node:fs';
import { restrictToOwner } from '../fs/owner-only.js';
import { createFileOnce, replaceFile } from '../fs/atomic-files.js';

/** How a kind of signing key is made, named, and written to and read from its file. */
export interface SigningKeyCodec<K> {
  /** What the key is, in errors: "JWT signing key". */
  readonly what: string;
  generate(now: number): Promise<K>;
  id(key: K): string;
  format(key: K): string;
  /** The key in a file's text; undefined when the text holds none. Throws when the text is broken. */
  parse(text: string): K | undefined;
}

/** How often a running server looks for a key another process wrote (wall time; it decides no expiry). */
const RELOAD_CHECK_MS = 2000;

/**
 * A node's private signing key, kept in its data dir readable by its owner only and never sent
 * anywhere. The first process to start creates the file (exactly one wins a race; the others use
 * its key), a rotation replaces it, and a running server sees a replacement within seconds.
 */
export class SigningKeyFile<K> {
  /** True when this process created the file (of processes starting together, exactly one). */
  readonly created: boolean;
  readonly #file: string | undefined;
  readonly #codec: SigningKeyCodec<K>;
  #key: K;
  #mtimeMs = 0;
  #checkedAt = 0;

  private constructor(file: string | undefined, codec: SigningKeyCodec<K>, key: K, created: boolean) {
    this.created = created;
    this.#file = file;
    this.#codec = codec;
    this.#key = key;
  }

  /** The key in `file`, created when missing: from `initial()` (an older layout's key), else generated. */
  static async open<K>(file: string, codec: SigningKeyCodec<K>, now: number, initial?: () => Promise<K | undefined>): Promise<SigningKeyFile<K>> {
    const first = async () => (await initial?.()) ?? (await codec.generate(now));
    let created = false;
    try {
      statSync(file);
    } catch {
      created = await createFileOnce(file, codec.format(await first()), 0o600);
    }
    // A file copied in from elsewhere often arrives readable by all; it holds a private key.
    restrictToOwner(file);
    // The time is taken before the read: a replacement in between is then seen at the next check.
    const { mtimeMs } = statSync(file);
    const keys = new SigningKeyFile<K>(file, codec, readKey(file, codec), created);
    keys.#mtimeMs = mtimeMs;
    return keys;
  }

  /** A key that lives in memory only (tests, embedding without a data dir). */
  static async ephemeral<K>(codec: SigningKeyCodec<K>, now: number): Promise<SigningKeyFile<K>> {
    return new SigningKeyFile(undefined, codec, await codec.generate(now), true);
  }

  /** The key that signs now. */
  current(): K {
    this.#reloadIfChanged();
    return this.#key;
  }

  /** A new key, not yet in use (a rotation publishes it before it signs). */
  generate(now: number): Promise<K> {
    return this.#codec.generate(now);
  }

  /** Replaces the key: `key` signs from then on. */
  async replace(key: K): Promise<K> {
    if (this.#file) {
      await replaceFile(this.#file, this.#codec.format(key), 0o600);
      this.#mtimeMs = statSync(this.#file).mtimeMs;
    }
    this.#key = key;
    return key;
  }

  /**
   * A replacement for `withdrawn`: the key in the file when another process has replaced it
   * already, else a new one.
   */
  async replaceWithdrawn(withdrawn: K, now: number): Promise<K> {
    if (this.#file) this.#load();
    if (this.#codec.id(this.#key) !== this.#codec.id(withdrawn)) return this.#key;
    return this.replace(await this.#codec.generate(now));
  }

  #load(): void {
    const { mtimeMs } = statSync(this.#file!);
    this.#key = readKey(this.#file!, this.#codec);
    this.#mtimeMs = mtimeMs;
  }

  #reloadIfChanged(): void {
    if (!this.#file) return;
    const now = Date.now();
    if (now - this.#checkedAt < RELOAD_CHECK_MS) return;
    this.#checkedAt = now;
    if (statSync(this.#file).mtimeMs !== this.#mtimeMs) this.#load();
  }
}

function readKey<K>(file: string, codec: SigningKeyCodec<K>): K {
  let key: K | undefined;
  try {
    key = codec.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: broken ${codec.what} file (${(error as Error).message})`);
  }
  if (key === undefined) throw new Error(`${file} holds no ${codec.what}`);
  return key;
}
