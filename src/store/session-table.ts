import type { DirectorySessionAccount } from './store.js';

/**
 * Live sessions in parallel typed arrays, one slot per session: a million sessions hold about 150
 * bytes of data each (some 220 of RSS) instead of the ~470 of RSS of an object per session (four
 * boxed numbers, its own user-key string, a Set entry per user). A Map finds the slot of a key; each
 * user's slots form a doubly linked list, so a per-user cap walks only that user's sessions. Freed
 * slots are reused; the arrays never shrink. No policy here: expiry and caps belong to the store.
 */
export interface SessionTimes {
  createdAt: number;
  lastAccessedAt: number;
  absoluteExpiresAt: number;
  expiresAt: number;
}

/** What a session records besides its times: how it was created, and from where. */
export interface SessionLabels {
  scheme?: string;
  clientAddress?: string;
}

/** A SHA-256 key as a 256-bit bigint: about 40 heap bytes instead of 80 for its 64-character hex string. */
type PackedKey = bigint | string;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Keys that are not SHA-256 hex (tests use short names) stay strings; a bigint never equals a string, so they cannot collide. */
function pack(key: string): PackedKey {
  return SHA256_HEX.test(key) ? BigInt(`0x${key}`) : key;
}

function unpack(key: PackedKey): string {
  return typeof key === 'bigint' ? key.toString(16).padStart(64, '0') : key;
}

/** The sessions of one user: the first slot of its list and how many there are. */
interface UserSlots {
  readonly userKey: string;
  head: number;
  count: number;
}

const NONE = -1;
const INITIAL_CAPACITY = 1024;

export class SessionTable {
  readonly #slotOf = new Map<PackedKey, number>();
  readonly #byUser = new Map<string, UserSlots>();
  #capacity = 0;
  #keys: PackedKey[] = [];
  #owners: (UserSlots | undefined)[] = [];
  /** Per slot, labels shared by every session with the same ones (few schemes, few client addresses). */
  #labels: (SessionLabels | undefined)[] = [];
  readonly #sharedLabels = new Map<string, SessionLabels>();
  /** The accounts of directory users' sessions, by slot: few, so kept aside rather than per slot. */
  readonly #directories = new Map<number, DirectorySessionAccount>();
  #createdAt = new Float64Array(0);
  #lastAccessedAt = new Float64Array(0);
  #absoluteExpiresAt = new Float64Array(0);
  #expiresAt = new Float64Array(0);
  /** Next and previous slot of the same user; for a free slot, `#next` is the next free one. */
  #next = new Int32Array(0);
  #previous = new Int32Array(0);
  #free = NONE;
  /** Slots below this have been used; those above it were never handed out. */
  #used = 0;

  get size(): number {
    return this.#slotOf.size;
  }

  /** The slot of `key`, or undefined. */
  find(key: string): number | undefined {
    return this.#slotOf.get(pack(key));
  }

  /** Adds a session (replacing one with the same key) and answers its slot. */
  add(key: string, userKey: string, times: SessionTimes, labels: SessionLabels = {}): number {
    const packed = pack(key);
    const existing = this.#slotOf.get(packed);
    if (existing !== undefined) this.remove(existing);
    const slot = this.#allocate();
    this.#slotOf.set(packed, slot);
    this.#keys[slot] = packed;
    this.#createdAt[slot] = times.createdAt;
    this.#lastAccessedAt[slot] = times.lastAccessedAt;
    this.#absoluteExpiresAt[slot] = times.absoluteExpiresAt;
    this.#expiresAt[slot] = times.expiresAt;
    let owner = this.#byUser.get(userKey);
    if (!owner) this.#byUser.set(userKey, (owner = { userKey, head: NONE, count: 0 }));
    this.#owners[slot] = owner;
    this.#labels[slot] = this.#shared(labels);
    this.#previous[slot] = NONE;
    this.#next[slot] = owner.head;
    if (owner.head !== NONE) this.#previous[owner.head] = slot;
    owner.head = slot;
    owner.count++;
    return slot;
  }

  remove(slot: number): void {
    const owner = this.#owners[slot]!;
    const [previous, next] = [this.#previous[slot]!, this.#next[slot]!];
    if (previous === NONE) owner.head = next;
    else this.#next[previous] = next;
    if (next !== NONE) this.#previous[next] = previous;
    if (--owner.count === 0) this.#byUser.delete(owner.userKey);
    this.#slotOf.delete(this.#keys[slot]!);
    this.#keys[slot] = '';
    this.#owners[slot] = undefined;
    this.#labels[slot] = undefined;
    this.#directories.delete(slot);
    this.#next[slot] = this.#free;
    this.#free = slot;
  }

  userKey(slot: number): string {
    return this.#owners[slot]!.userKey;
  }

  /** The key a slot holds, as it was added. */
  key(slot: number): string {
    return unpack(this.#keys[slot]!);
  }

  labels(slot: number): SessionLabels {
    return this.#labels[slot] ?? {};
  }

  /** The directory account of a directory user's session (a copy), or undefined. */
  directory(slot: number): DirectorySessionAccount | undefined {
    const account = this.#directories.get(slot);
    return account && { ...account, groups: [...account.groups] };
  }

  setDirectory(slot: number, account: DirectorySessionAccount | undefined): void {
    if (account) this.#directories.set(slot, { ...account, groups: [...account.groups] });
    else this.#directories.delete(slot);
  }

  times(slot: number): SessionTimes {
    return {
      createdAt: this.#createdAt[slot]!,
      lastAccessedAt: this.#lastAccessedAt[slot]!,
      absoluteExpiresAt: this.#absoluteExpiresAt[slot]!,
      expiresAt: this.#expiresAt[slot]!,
    };
  }

  expiresAt(slot: number): number {
    return this.#expiresAt[slot]!;
  }

  touch(slot: number, lastAccessedAt: number, expiresAt: number): void {
    this.#lastAccessedAt[slot] = lastAccessedAt;
    this.#expiresAt[slot] = expiresAt;
  }

  /** How many sessions `userKey` holds. */
  countOf(userKey: string): number {
    return this.#byUser.get(userKey)?.count ?? 0;
  }

  /** The slots of `userKey`; collected first, so the caller may remove while walking them. */
  slotsOf(userKey: string): number[] {
    const slots: number[] = [];
    for (let slot = this.#byUser.get(userKey)?.head ?? NONE; slot !== NONE; slot = this.#next[slot]!) slots.push(slot);
    return slots;
  }

  /** Every occupied slot; the caller may remove the current one while walking (Map iteration allows it). */
  *slots(): IterableIterator<number> {
    yield* this.#slotOf.values();
  }

  #shared(labels: SessionLabels): SessionLabels | undefined {
    if (labels.scheme === undefined && labels.clientAddress === undefined) return undefined;
    const id = `${labels.scheme ?? ''}\u0000${labels.clientAddress ?? ''}`;
    let shared = this.#sharedLabels.get(id);
    if (!shared) {
      shared = Object.freeze({ ...(labels.scheme !== undefined ? { scheme: labels.scheme } : {}), ...(labels.clientAddress !== undefined ? { clientAddress: labels.clientAddress } : {}) });
      this.#sharedLabels.set(id, shared);
    }
    return shared;
  }

  #allocate(): number {
    if (this.#free !== NONE) {
      const slot = this.#free;
      this.#free = this.#next[slot]!;
      return slot;
    }
    if (this.#used === this.#capacity) this.#grow(Math.max(INITIAL_CAPACITY, this.#capacity * 2));
    return this.#used++;
  }

  #grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const array = make(capacity);
      array.set(old);
      return array;
    };
    this.#createdAt = grown(this.#createdAt, (n) => new Float64Array(n));
    this.#lastAccessedAt = grown(this.#lastAccessedAt, (n) => new Float64Array(n));
    this.#absoluteExpiresAt = grown(this.#absoluteExpiresAt, (n) => new Float64Array(n));
    this.#expiresAt = grown(this.#expiresAt, (n) => new Float64Array(n));
    this.#next = grown(this.#next, (n) => new Int32Array(n));
    this.#previous = grown(this.#previous, (n) => new Int32Array(n));
    this.#capacity = capacity;
  }
}
