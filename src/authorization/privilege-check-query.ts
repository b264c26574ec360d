import { sha256Hex } from '../core/secrets.js';
import type { DynamicId } from '../core/operations.js';
import type { RecordedCheck } from '../store/store.js';

/** `privilege_checks.filter_spec`: a check matching any given condition is returned; an absent or empty condition is no condition. */
export interface CheckFilter {
  objects?: DynamicId[];
  sessions?: string[];
  /** `null` stands for an unauthenticated caller. */
  principals?: ({ name: string; domain: string } | null)[];
  privileges?: string[];
  op_ids?: string[];
}

const principalKey = (principal: { name: string; domain: string } | null | undefined) =>
  principal ? `${principal.name}@${principal.domain}`.toLowerCase() : '';

/** The predicate a filter stands for. Session ids are compared by their hash, which is all the record keeps. */
export function checkMatcher(filter: CheckFilter): (check: RecordedCheck) => boolean {
  const conditions: ((check: RecordedCheck) => boolean)[] = [];
  if (filter.objects?.length) {
    const objects = new Set(filter.objects.map((object) => `${object.type}\u0000${object.id}`));
    conditions.push((check) => objects.has(`${check.object.type}\u0000${check.object.id}`));
  }
  if (filter.sessions?.length) {
    const sessions = new Set(filter.sessions.map(sha256Hex));
    conditions.push((check) => check.session !== undefined && sessions.has(check.session));
  }
  if (filter.principals?.length) {
    const principals = new Set(filter.principals.map(principalKey));
    conditions.push((check) => principals.has(principalKey(check.principal)));
  }
  if (filter.privileges?.length) {
    const privileges = new Set(filter.privileges);
    conditions.push((check) => privileges.has(check.privilege));
  }
  if (filter.op_ids?.length) {
    const opIds = new Set(filter.op_ids);
    conditions.push((check) => opIds.has(check.opId));
  }
  return conditions.length === 0 ? () => true : (check) => conditions.some((condition) => condition(check));
}

/** What a listed check shows (`privilege_checks.info`); checks that show the same are listed once. */
export function checkInfo(check: RecordedCheck): { object: DynamicId; principal?: { name: string; domain: string }; privilege: string } {
  return { object: check.object, ...(check.principal ? { principal: check.principal } : {}), privilege: check.privilege };
}

export function checkInfoKey(check: RecordedCheck): string {
  return JSON.stringify([check.object.type, check.object.id, principalKey(check.principal), check.privilege]);
}
