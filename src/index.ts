export { createServer, DEFAULT_SESSION_POLICY, DEFAULT_TASK_POLICY, type VapiServer, type VapiServerOptions } from './server.js';
export { ConfigError } from './config/config-error.js';
export type { TaskPolicy } from './tasks/task-runner.js';
export { SessionService, type SessionPolicy } from './sessions/session-service.js';
export { DEFAULT_CONNECTION_POLICY, type ConnectionPolicy } from './http/connection-limits.js';
export type { AuditEvent, AuditEventName, AuditListener } from './observability/audit-trail.js';
export type { ServerMetrics } from './observability/server-metrics.js';
export { FakeClock, systemClock, type Clock } from './core/clock.js';
export * from './core/errors.js';
export { OperationError, type DeclaredError } from './core/declared-errors.js';
export { message, type LocalizableMessage } from './core/messages.js';
export { dynamicIdType, localizableMessageType, operationInput, t, TypedValue, type StructType, type VType } from './core/types.js';
export type {
  ApiBinding,
  DynamicId,
  OperationContext,
  OperationDefinition,
  ProgressReport,
  ServiceDefinition,
  TaskControl,
  TaskType,
} from './core/operations.js';
export { OperationTable } from './core/operation-table.js';
export { SCHEMES, type SchemeId } from './core/schemes.js';
export { displayName, type Principal } from './core/principal.js';
export { AccessControl, AccessError, type PermissionChangeOptions, type PermissionView, type RoleView } from './authorization/access-control.js';
export { BASE_PRIVILEGES, PRIVILEGES, ROOT_OBJECT } from './authorization/privileges.js';
export { SYSTEM_ROLES } from './authorization/roles.js';
export { MemoryStore } from './store/memory-store.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export type { Store, SessionRecord, UserRecord } from './store/store.js';
export { openStore, type StoreSpec } from './store/open-store.js';
export { RedisStore, type RedisStoreOptions } from './store/redis/redis-store.js';
export { ensureAdministrator, ADMINISTRATOR } from './identity/bootstrap.js';
export { LocalIdentitySource } from './identity/identity-source.js';
export { openApiDocument } from './openapi/openapi-document.js';
