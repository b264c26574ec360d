import { unauthorized } from '../core/errors.js';
import type { OperationContext } from '../core/operations.js';
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

  /**
   * UNAUTHORIZED unless the caller holds every one of `privileges` (`all`: is an Administrator);
   * `what` goes to the log. The checks are recorded, so that a role made from a recording can hand on
   * what the recorded script handed on.
   */
  async requireHolds(context: OperationContext, privileges: readonly string[] | 'all', what: string): Promise<void> {
    if (privileges === 'all') {
      if (!(await this.#authorizer.isAdministrator(context.principal))) throw unauthorized(`${what} needs the Administrator role`);
      return;
    }
    if (!context.holdsAll(privileges)) throw unauthorized(`${what} needs privileges the caller lacks`);
  }

  /** UNAUTHORIZED unless the caller holds everything the roles `roles` give (read from the current policy). */
  async requireHoldsRoles(context: OperationContext, roles: readonly string[], what: string): Promise<void> {
    const policy = await this.#authorizer.policy();
    for (const role of roles) await this.requireHolds(context, policy.privilegesOfRole(role) ?? [], what);
  }
}
