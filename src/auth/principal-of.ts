import type { Principal } from '../core/principal.js';
import type { SchemeId } from '../core/schemes.js';
import type { UserRecord } from '../store/store.js';

/** The principal an account authenticates as, with the scheme it used and anything the scheme adds. */
export function principalOf(user: UserRecord, scheme: SchemeId, extra: Pick<Principal, 'session' | 'notAfter' | 'authzVersion'> = {}): Principal {
  return { userKey: user.key, name: user.name, domain: user.domain, scheme, ...extra };
}
