import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkInfo, checkInfoKey, checkMatcher, type CheckFilter } from '../authorization/privilege-check-query.js';
import { PRIVILEGES } from '../authorization/privileges.js';
import type { PrivilegeRecorder } from '../authorization/privilege-recorder.js';
import { invalidArgument } from '../core/errors.js';
import type { ServiceDefinition } from '../core/operations.js';
import { dynamicIdType, operationInput, t } from '../core/types.js';
import type { PrivilegeCheckStore, RecordedCheck } from '../store/store.js';

const NS = 'com.vmware.vcenter.authorization.privilege_checks';
export const PRIVILEGE_CHECKS_SERVICE_ID = NS;

/** `size` when none is given, and the most one call returns. */
export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;
/** The longest a call waits for a new check (`timeout_ms` above this waits this long). */
export const MAX_WAIT_MS = 30_000;
const POLL_MS = 100;
const CHUNK = 500;

const principalType = t.struct(`${NS}.principal`, { name: t.string, domain: t.string });
const iterationSpecType = t.struct(`${NS}.iteration_spec`, {
  size: t.optional(t.long),
  marker: t.optional(t.string),
  end_marker: t.optional(t.string),
  timeout_ms: t.optional(t.long),
});
const filterSpecType = t.struct(`${NS}.filter_spec`, {
  objects: t.optional(t.list(dynamicIdType)),
  sessions: t.optional(t.set(t.id('com.vmware.cis.session'))),
  principals: t.optional(t.list(t.optional(principalType))),
  privileges: t.optional(t.set(t.id('com.vmware.cis.authz.Privilege'))),
  op_ids: t.optional(t.set(t.string)),
});
const infoType = t.struct(`${NS}.info`, { object: dynamicIdType, principal: t.optional(principalType), privilege: t.id('com.vmware.cis.authz.Privilege') });
const listResultType = t.struct(`${NS}.list_result`, { items: t.list(infoType), marker: t.string, truncated: t.boolean });

interface IterationSpec {
  size?: number;
  marker?: string;
  end_marker?: string;
  timeout_ms?: number;
}

/** A marker is the number of a check, as text; anything else, or a number not yet given out, is refused. */
function parseMarker(marker: string, latest: number, field: string): number {
  const seq = /^\d{1,15}$/.test(marker) ? Number(marker) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq > latest) {
    throw invalidArgument(`${NS}.invalid_marker`, `${field} is not a marker of this server.`, [field]);
  }
  return seq;
}

/**
 * Reads the record after `after` up to `end`, returning matches (each distinct info once) up to
 * `size`, the number of the last check examined, and whether checks after `after` were dropped.
 */
async function scan(store: PrivilegeCheckStore, after: number, end: number, size: number, matches: (check: RecordedCheck) => boolean) {
  const items: RecordedCheck[] = [];
  const seen = new Set<string>();
  let cursor = after;
  let truncated = false;
  for (;;) {
    const { oldest, checks } = await store.after(cursor, CHUNK);
    if (cursor === after && after < oldest - 1) truncated = true;
    for (const check of checks) {
      if (check.seq > end) return { items, last: cursor, truncated };
      cursor = check.seq;
      const key = checkInfoKey(check);
      if (matches(check) && !seen.has(key)) {
        seen.add(key);
        items.push(check);
        if (items.length === size) return { items, last: cursor, truncated };
      }
    }
    if (checks.length < CHUNK) return { items, last: cursor, truncated };
  }
}

/**
 * `com.vmware.vcenter.authorization.privilege_checks` and its `latest` (authorization.md §4): the
 * checks every node made, from the shared record. Reading it needs Sessions.CollectPrivilegeChecks;
 * its own checks are not recorded.
 */
export function privilegeCheckServices(store: PrivilegeCheckStore, recorder: PrivilegeRecorder): ServiceDefinition[] {
  return [
    {
      id: NS,
      privileges: [PRIVILEGES.collectPrivilegeChecks],
      unrecorded: true,
      operations: [
        {
          id: 'list',
          input: operationInput({ iteration: t.optional(iterationSpecType), filter: t.optional(filterSpecType) }),
          output: listResultType,
          errors: ['ERROR', 'INVALID_ARGUMENT', 'NOT_FOUND', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
          api: [
            { method: 'POST', path: '/vcenter/authorization/privilege-checks' },
            { method: 'POST', path: '/vcenter/authorization/privilege-checks', action: 'list' },
          ],
          handler: async (input: { iteration?: IterationSpec; filter?: CheckFilter }) => {
            const spec = input.iteration ?? {};
            const size = spec.size ?? DEFAULT_PAGE_SIZE;
            if (size < 1 || size > MAX_PAGE_SIZE) {
              throw invalidArgument(`${NS}.invalid_size`, `iteration.size must be between 1 and ${MAX_PAGE_SIZE}.`, ['iteration.size']);
            }
            if (spec.timeout_ms !== undefined && spec.timeout_ms < 0) {
              throw invalidArgument(`${NS}.invalid_timeout`, 'iteration.timeout_ms must not be negative.', ['iteration.timeout_ms']);
            }
            await recorder.flush();
            const latest = await store.latest();
            const after = spec.marker === undefined ? 0 : parseMarker(spec.marker, latest, 'iteration.marker');
            const end = spec.end_marker === undefined ? Number.POSITIVE_INFINITY : parseMarker(spec.end_marker, latest, 'iteration.end_marker');
            const matches = checkMatcher(input.filter ?? {});
            let result = await scan(store, after, end, size, matches);
            // With a marker and nothing new yet, wait for a matching check (every node's, through the store).
            // The wait is real time, whatever clock the server runs on: it is how long this request is held.
            const deadline = performance.now() + Math.min(spec.timeout_ms ?? 0, MAX_WAIT_MS);
            while (spec.marker !== undefined && result.items.length === 0 && result.last < end && performance.now() < deadline) {
              await sleep(POLL_MS);
              const next = await scan(store, result.last, end, size, matches);
              result = { ...next, truncated: result.truncated || next.truncated };
            }
            return { items: result.items.map(checkInfo), marker: String(result.last), truncated: result.truncated };
          },
        },
      ],
    },
    {
      id: `${NS}.latest`,
      privileges: [PRIVILEGES.collectPrivilegeChecks],
      unrecorded: true,
      operations: [
        {
          id: 'get',
          input: operationInput(),
          output: t.string,
          errors: ['ERROR', 'NOT_FOUND', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
          api: { method: 'GET', path: '/vcenter/authorization/privilege-checks/latest' },
          handler: async () => {
            await recorder.flush();
            return String(await store.latest());
          },
        },
      ],
    },
  ];
}
