import type { Account } from './account.js';
import { isSolutionUser } from './identity-source.js';
import type { IdentitySources } from './identity-sources.js';
import type { Lockout } from './lockout.js';
import { userKey, type QualifiedName } from './user-name.js';

export type CredentialCheck = { ok: true; user: Account } | { ok: false; reason: 'locked' | 'wrong user name or password' };

/**
 * The one password check of the server (Basic, JSON-RPC user_pass, the STS, the OMIVV login), for
 * local and directory users alike: lockout first, then the password. A locked account costs the
 * same time as a wrong password, and a locked directory account is not tried against the directory,
 * so our lockout never trips the directory's own.
 */
export class CredentialChecker {
  readonly #sources: IdentitySources;
  readonly #lockout: Lockout;

  constructor(sources: IdentitySources, lockout: Lockout) {
    this.#sources = sources;
    this.#lockout = lockout;
  }

  /** The lockout key of a submitted name: the account key when it parses, else the text itself. */
  accountKey(userName: string): string {
    const qualified = this.#sources.parse(userName);
    return qualified ? userKey(qualified) : `unparsed:${userName.toLowerCase()}`;
  }

  /** DirectoryUnavailableError when the user's directory does not answer: not a failure of the user's. */
  async check(userName: string, password: string): Promise<CredentialCheck> {
    const key = this.accountKey(userName);
    if (await this.#lockout.isLocked(key)) {
      await this.#sources.local.verify('', password);
      return { ok: false, reason: 'locked' };
    }
    const qualified = this.#sources.parse(userName);
    const user = await this.#sources.verify(qualified, password);
    if (!user) {
      // Guessing a password cannot lock out a solution user, who has none: its certificate logins go on.
      if (!qualified || !(await this.#isSolutionUser(qualified))) await this.#lockout.recordFailure(key);
      return { ok: false, reason: 'wrong user name or password' };
    }
    await this.#lockout.reset(key);
    return { ok: true, user };
  }

  /** The account a name (in any accepted form) names, when it exists and is not locked: who a renewed token may still name. */
  async standing(userName: string): Promise<Account | undefined> {
    const qualified = this.#sources.parse(userName);
    if (!qualified || (await this.#lockout.isLocked(userKey(qualified)))) return undefined;
    return this.#sources.current(qualified);
  }

  async #isSolutionUser(qualified: QualifiedName): Promise<boolean> {
    if (this.#sources.directory(qualified.domain)) return false;
    const account = await this.#sources.local.get(userKey(qualified));
    return account !== undefined && isSolutionUser(account);
  }

  isLocked(accountKey: string): Promise<boolean> {
    return this.#lockout.isLocked(accountKey);
  }
}
