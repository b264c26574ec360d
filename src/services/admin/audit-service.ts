import { PRIVILEGES } from '../../authorization/privileges.js';
import { invalidArgument } from '../../core/errors.js';
import type { ServiceDefinition } from '../../core/operations.js';
import { operationInput, t } from '../../core/types.js';
import { parseUserName, userKey } from '../../identity/user-name.js';
import { RECENT_AUDIT_EVENTS, type AuditEvent, type AuditTrail } from '../../observability/audit-trail.js';

export const ADMIN_AUDIT_SERVICE_ID = 'vapi_auth.audit';
const NS = ADMIN_AUDIT_SERVICE_ID;
/** Events answered when the filter names no limit. */
export const DEFAULT_AUDIT_LIMIT = 100;
/** The domain of a name given without one, as the servers read it. */
const DEFAULT_DOMAIN = 'vsphere.local';

const filterType = t.struct(`${NS}.filter_spec`, { event: t.optional(t.string), user: t.optional(t.string), limit: t.optional(t.long) });
const eventType = t.struct(`${NS}.audit_event`, {
  time: t.datetime,
  event: t.string,
  user: t.optional(t.string),
  domain: t.optional(t.string),
  scheme: t.optional(t.string),
  reason: t.optional(t.string),
  target: t.optional(t.string),
  operator: t.optional(t.string),
  actor: t.optional(t.string),
  client: t.optional(t.string),
  dialect: t.optional(t.string),
  request_id: t.optional(t.string),
});
const listType = t.struct(`${NS}.audit_list`, { enabled: t.boolean, events: t.list(eventType) });

interface Filter {
  event?: string;
  user?: string;
  limit?: number;
}

/** The account an event or a filter names, compared as account keys (any accepted form, any case). */
function accountOf(user: string, domain?: string): string {
  const qualified = parseUserName(domain === undefined || user.includes('@') || user.includes('\\') ? user : `${user}@${domain}`, DEFAULT_DOMAIN);
  return qualified ? userKey(qualified) : user.toLowerCase();
}

/** The fields an event may carry besides its time and request id, as the output names them. */
const FIELDS = ['event', 'user', 'domain', 'scheme', 'reason', 'target', 'operator', 'actor', 'client', 'dialect'] as const;

/** An event as the operation answers it: the known fields only, so that a field added to events later cannot break the output. */
function view(event: AuditEvent) {
  const fields = Object.fromEntries(FIELDS.filter((name) => event[name] !== undefined).map((name) => [name, event[name]]));
  return { ...fields, time: new Date(event.time), ...(event.requestId !== undefined ? { request_id: event.requestId } : {}) };
}

/**
 * `vapi_auth.audit`: the latest audit events of this node (the answering process keeps them, with
 * those its fellow workers pass on, while it has an audit log or an embedder's listener: `enabled`),
 * newest first, without reading the log back.
 */
export function adminAuditService(audit: AuditTrail): ServiceDefinition {
  return {
    id: NS,
    privileges: [PRIVILEGES.readAudit],
    operations: [
      {
        id: 'list',
        input: operationInput({ filter: t.optional(filterType) }),
        output: listType,
        errors: ['INVALID_ARGUMENT', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        api: [
          { method: 'POST', path: '/vapi-auth/audit', action: 'list' },
          { method: 'GET', path: '/vapi-auth/audit', query: { event: 'filter.event', user: 'filter.user', limit: 'filter.limit' } },
        ],
        handler: async (input: { filter?: Filter }) => {
          const { event, user, limit = DEFAULT_AUDIT_LIMIT } = input.filter ?? {};
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > RECENT_AUDIT_EVENTS) {
            throw invalidArgument(`${NS}.invalid_limit`, `filter.limit must be between 1 and ${RECENT_AUDIT_EVENTS}.`, ['filter.limit']);
          }
          const recent = audit.recent();
          if (!recent) return { enabled: false, events: [] };
          const account = user === undefined ? undefined : accountOf(user);
          const matching = recent.filter(
            (candidate) => (event === undefined || candidate.event === event) && (account === undefined || (candidate.user !== undefined && accountOf(candidate.user, candidate.domain) === account)),
          );
          return { enabled: true, events: matching.slice(0, limit).map(view) };
        },
      },
    ],
  };
}
