import { Delegation } from '../../authorization/delegation.js';
import type { ServiceDefinition } from '../../core/operations.js';
import { adminPermissionsService, adminPrivilegesService, adminRolesService } from './access-services.js';
import type { AdminParts } from './admin-context.js';
import { adminAuditService } from './audit-service.js';
import { adminSessionsService } from './sessions-service.js';
import { adminUsersService } from './users-service.js';

/** The package of the administration services (docs/admin-api.md): this project's own, not VMware's. */
export const ADMIN_PACKAGE = 'vapi_auth';

/** Sessions, users, roles, permissions, privileges and the audit trail, as operations of the table. */
export function adminServices(parts: AdminParts): ServiceDefinition[] {
  const delegation = new Delegation(parts.authorizer);
  return [
    adminSessionsService(parts),
    adminUsersService(parts, delegation),
    adminRolesService(parts, delegation),
    adminPermissionsService(parts, delegation),
    adminPrivilegesService(parts),
    adminAuditService(parts.audit),
  ];
}
