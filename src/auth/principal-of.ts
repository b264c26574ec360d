import type { Principal } from '../core/principal.js';
import type { SchemeId } from '../core/schemes.js';
import type { Account } from '../identity/account.js';

/** The principal an account authenticates as, with the scheme it used and anything the scheme adds. */
export function principalOf(user: Account, scheme: SchemeId, extra: Pick<Principal, 'session' | 'notAfter' | 'authzVersion' | 'actor'> = {}): Principal {
  const directory = user.groupsReadAt === undefined ? {} : { groups: user.groups ?? [], groupsReadAt: user.groupsReadAt };
  return { userKey: user.key, name: user.name, domain: user.domain, scheme, ...directory, ...extra };
}
