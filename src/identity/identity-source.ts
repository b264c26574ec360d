import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { UserRecord, UserStore } from '../store/store.js';
import { PasswordHasher } from './password-hash.js';
import { parseUserName, userKey, type QualifiedName } from './user-name.js';

/** Why a change of local users was refused: a bad name or password, a user that exists already, or none. */
export class IdentityError extends Error {
  override name = 'IdentityError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'exists' | 'missing' = 'invalid',
  ) {
    super(message);
  }
}

/** A principal identified by an X.509 certificate instead of a password (identity.md §2). */
export type SolutionUser = UserRecord & { certificate: string };

/** The refusal of a password for a solution user. */
export function hasNoPassword(userName: string): IdentityError {
  return new IdentityError(`${userName} is a solution user: it has a certificate, not a password`);
}

/** Whether an account (a user record, or an account a credential named) is a solution user's. */
export function isSolutionUser<T extends { certificate?: string }>(user: T): user is T & { certificate: string } {
  return user.certificate !== undefined;
}

/**
 * The local identity source (`vsphere.local` by default): accounts and password checks (roles are
 * given by permissions, see AccessControl). A check for an unknown user costs the same as for a known one.
 */
export class LocalIdentitySource {
  readonly domain: string;
  readonly #users: UserStore;
  readonly #clock: Clock;
  readonly hasher: PasswordHasher;
  #dummyHash: Promise<string> | undefined;

  constructor(users: UserStore, clock: Clock, domain = 'vsphere.local', hasher = new PasswordHasher()) {
    this.#users = users;
    this.#clock = clock;
    this.domain = domain.toLowerCase();
    this.hasher = hasher;
  }

  /** Parses a user name in any accepted form; only names in this source's domain qualify. */
  parse(input: string): QualifiedName | undefined {
    const qualified = parseUserName(input, this.domain);
    return qualified && qualified.domain === this.domain ? qualified : undefined;
  }

  /**
   * The account when the password is right; undefined for a wrong password, an unknown user or a
   * solution user (who has no password) alike.
   */
  async verify(userName: string, password: string): Promise<UserRecord | undefined> {
    const qualified = this.parse(userName);
    const found = qualified && (await this.#users.get(userKey(qualified)));
    const user = found && !isSolutionUser(found) ? found : undefined;
    // Others are checked against a throw-away hash so that every answer takes as long.
    const hash = user?.passwordHash ?? (await this.#dummy());
    const ok = await this.hasher.verify(hash, password);
    return ok && user ? user : undefined;
  }

  /** The account with store key `key` (lower-case `name@domain`). */
  async get(key: string): Promise<UserRecord | undefined> {
    return this.#users.get(key);
  }

  /** The account a user name in any accepted form names; IdentityError when it is not a name of this domain. */
  async find(userName: string): Promise<UserRecord | undefined> {
    return this.#users.get(userKey(this.#require(userName)));
  }

  /** The users who log in with a password. */
  async list(): Promise<UserRecord[]> {
    return (await this.#users.list()).filter((user) => !isSolutionUser(user));
  }

  /** The solution users (certificate principals), who get tokens from the STS by signing with their key. */
  async listSolutionUsers(): Promise<SolutionUser[]> {
    return (await this.#users.list()).filter(isSolutionUser);
  }

  /** The solution user holding this certificate (base64 DER). */
  async findByCertificate(certificate: string): Promise<SolutionUser | undefined> {
    const user = await this.#users.findByCertificate(certificate);
    return user && isSolutionUser(user) ? user : undefined;
  }

  /** Registers a solution user; false when the name is taken or the certificate is another's already. */
  async addSolutionUser(userName: string, certificate: string): Promise<boolean> {
    const qualified = this.#require(userName);
    return this.#users.create({ key: userKey(qualified), name: qualified.name, domain: qualified.domain, passwordHash: '', certificate, createdAt: this.#clock.now() });
  }

  /** Creates an account; false when it exists already. */
  async add(userName: string, password: string): Promise<boolean> {
    const qualified = this.#require(userName);
    return this.#users.create({
      key: userKey(qualified),
      name: qualified.name,
      domain: qualified.domain,
      passwordHash: await this.hasher.hash(password),
      createdAt: this.#clock.now(),
    });
  }

  async setPassword(userName: string, password: string): Promise<boolean> {
    const key = userKey(this.#require(userName));
    const user = await this.#users.get(key);
    if (user && isSolutionUser(user)) throw hasNoPassword(userName);
    return this.#users.update(key, { passwordHash: await this.hasher.hash(password) });
  }

  async remove(userName: string): Promise<boolean> {
    return this.#users.delete(userKey(this.#require(userName)));
  }

  #require(userName: string): QualifiedName {
    const qualified = this.parse(userName);
    if (!qualified) {
      throw new IdentityError(`"${userName}" is not a user name of domain ${this.domain}`);
    }
    return qualified;
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.hasher.hash(randomBytes(32).toString('hex'));
    return this.#dummyHash;
  }
}
