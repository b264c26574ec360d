import type { AccessControl, PermissionChangeOptions } from '../authorization/access-control.js';
import { hasNoPassword, IdentityError, isSolutionUser, type LocalIdentitySource } from './identity-source.js';
import { passwordProblem } from './password-policy.js';
import type { UserRecord } from '../store/store.js';
import type { QualifiedName } from './user-name.js';

/**
 * Local users as an administrator changes them, the CLI and the administration API alike: names of
 * the local domain only, passwords held to the password policy, a removed user's permission gone too.
 */
export class UserAdministration {
  readonly #identity: LocalIdentitySource;
  readonly #access: AccessControl;

  constructor(identity: LocalIdentitySource, access: AccessControl) {
    this.#identity = identity;
    this.#access = access;
  }

  /** Creates a user (without a permission: it can log in and nothing more until given a role). */
  async add(userName: string, password: string): Promise<void> {
    const qualified = this.#parse(userName);
    if (await this.#identity.find(userName)) throw new IdentityError(`user ${userName} exists already`, 'exists');
    this.#checkPassword(password, qualified);
    if (!(await this.#identity.add(userName, password))) throw new IdentityError(`user ${userName} exists already`, 'exists');
  }

  async setPassword(userName: string, password: string): Promise<void> {
    this.#checkPassword(password, await this.passwordUser(userName));
    if (!(await this.#identity.setPassword(userName, password))) throw missing(userName);
  }

  /** Removes a user (not a solution user) and its permission; its sessions end with it (a session needs its account). */
  async remove(userName: string, options: PermissionChangeOptions = {}): Promise<void> {
    if (isSolutionUser(await this.#existing(userName))) throw new IdentityError(`${userName} is a solution user: use solution-user remove`);
    // The permission first: a refusal (the last Administrator) leaves everything as it was.
    await this.#access.revoke(userName, false, options);
    if (!(await this.#identity.remove(userName))) throw missing(userName);
  }

  /** The name of an existing user with a password (not a solution user), before a new password is chosen for it; IdentityError otherwise. */
  async passwordUser(userName: string): Promise<QualifiedName> {
    const user = await this.#existing(userName);
    if (isSolutionUser(user)) throw hasNoPassword(userName);
    return user;
  }

  /** The account a name names, which must exist; IdentityError otherwise. */
  async #existing(userName: string): Promise<UserRecord> {
    this.#parse(userName);
    const user = await this.#identity.find(userName);
    if (!user) throw missing(userName);
    return user;
  }

  #parse(userName: string): QualifiedName {
    const qualified = this.#identity.parse(userName);
    if (!qualified) throw new IdentityError(`"${userName}" is not a user name of domain ${this.#identity.domain}`);
    return qualified;
  }

  #checkPassword(password: string, { name }: QualifiedName): void {
    const problem = passwordProblem(password, name);
    if (problem) throw new IdentityError(problem);
  }
}

function missing(userName: string): IdentityError {
  return new IdentityError(`no user ${userName}`, 'missing');
}
