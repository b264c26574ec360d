import { unauthorized } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { Authorizer } from './authorizer.js';

/**
 * What a caller may hand out or take away: no more than it holds itself. Without this, a holder of
 * Authorization.ModifyPermissions could give itself Administrator, a holder of
 * Authorization.ModifyRoles could write any privilege into a role it holds, and a holder of
 * VapiAuth.ManageUsers could set the password of an administrator and log in as one.
 */
export class Delegation {
  readonly #authorizer: Authorizer;

  constructor(authorizer: Authorizer) {
    this.#authorizer = authorizer;
  }

  /** UNAUTHORIZED unless `caller` holds every one of `privileges` (`all`: is an Administrator); `what` goes to the log. */
  async requireHolds(caller: Principal, privileges: readonly string[] | 'all', what: string): Promise<void> {
    if (privileges === 'all') {
      if (!(await this.#authorizer.isAdministrator(caller))) throw unauthorized(`${what} needs the Administrator role`);
      return;
    }
    const held = await this.#authorizer.privilegesOf(caller);
    const missing = privileges.filter((privilege) => !held.has(privilege));
    if (missing.length > 0) throw unauthorized(`${what} needs ${missing.join(', ')}, which the caller lacks`);
  }

  /** UNAUTHORIZED unless `caller` holds everything the roles `roles` give (read from the current policy). */
  async requireHoldsRoles(caller: Principal, roles: readonly string[], what: string): Promise<void> {
    const policy = await this.#authorizer.policy();
    for (const role of roles) await this.requireHolds(caller, policy.privilegesOfRole(role) ?? [], what);
  }
}
