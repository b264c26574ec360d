import type { AccessControl } from '../../authorization/access-control.js';
import type { Authorizer } from '../../authorization/authorizer.js';
import type { OperationContext } from '../../core/operations.js';
import { displayName } from '../../core/principal.js';
import type { LocalIdentitySource } from '../../identity/identity-source.js';
import type { Lockout } from '../../identity/lockout.js';
import type { UserAdministration } from '../../identity/user-administration.js';
import type { AuditFields, AuditTrail } from '../../observability/audit-trail.js';
import { shortScheme } from '../../observability/reason-class.js';
import type { SessionService } from '../../sessions/session-service.js';
import type { Store } from '../../store/store.js';

/** What the administration services work with: the server's own parts, as the CLI's are over the store. */
export interface AdminParts {
  store: Store;
  sessions: SessionService;
  identity: LocalIdentitySource;
  users: UserAdministration;
  access: AccessControl;
  lockout: Lockout;
  authorizer: Authorizer;
  audit: AuditTrail;
  /** Every privilege the operation table declares (plugins' included). */
  declaredPrivileges: () => readonly string[];
}

/** Records a change made through the API: who made it (the caller, and how it authenticated), never a secret. */
export function recordChange(audit: AuditTrail, context: OperationContext, fields: Omit<AuditFields, 'operator' | 'scheme'>): void {
  audit.record({ ...fields, operator: displayName(context.principal), scheme: shortScheme(context.principal.scheme) });
}
