import type { UserRecord } from '../store/store.js';
import type { LocalIdentitySource } from './identity-source.js';
import type { Lockout } from './lockout.js';
import { userKey } from './user-name.js';

export type CredentialCheck = { ok: true; user: UserRecord } | { ok: false; reason: 'locked' | 'wrong user name or password' };

/**
 * The one password check of the server (Basic, JSON-RPC user_pass, the OMIVV login): lockout
 * first, then the password. A locked account costs the same time as a wrong password.
 */
export class CredentialChecker {
  readonly #identity: LocalIdentitySource;
  readonly #lockout: Lockout;

  constructor(identity: LocalIdentitySource, lockout: Lockout) {
    this.#identity = identity;
    this.#lockout = lockout;
  }

  /** The lockout key of a submitted name: the account key when it parses, else the text itself. */
  accountKey(userName: string): string {
    const qualified = this.#identity.parse(userName);
    return qualified ? userKey(qualified) : `unparsed:${userName.toLowerCase()}`;
  }

  async check(userName: string, password: string): Promise<CredentialCheck> {
    const key = this.accountKey(userName);
    if (await this.#lockout.isLocked(key)) {
      await this.#identity.verify('', password);
      return { ok: false, reason: 'locked' };
    }
    const user = await this.#identity.verify(userName, password);
    if (!user) {
      await this.#lockout.recordFailure(key);
      return { ok: false, reason: 'wrong user name or password' };
    }
    await this.#lockout.reset(key);
    return { ok: true, user };
  }

  /** The account a name (in any accepted form) names, when it exists and is not locked: who a renewed token may still name. */
  async standing(userName: string): Promise<UserRecord | undefined> {
    const qualified = this.#identity.parse(userName);
    if (!qualified || (await this.#lockout.isLocked(userKey(qualified)))) return undefined;
    return this.#identity.get(userKey(qualified));
  }

  isLocked(accountKey: string): Promise<boolean> {
    return this.#lockout.isLocked(accountKey);
  }
}
