import type { PrivilegeCheck } from '../store/store.js';

/**
 * What makes two checks the same (every field), as one string: a batch holds a check once. Each
 * field is prefixed by its length, so no field's content can run into the next; on every authorized
 * request, so plain concatenation rather than JSON.
 */
export function privilegeCheckKey(check: PrivilegeCheck): string {
  const principal = check.principal ? `${check.principal.name}@${check.principal.domain}`.toLowerCase() : '';
  const session = check.session ?? '';
  const { opId, privilege, object } = check;
  return `${principal.length}:${principal}${session.length}:${session}${opId.length}:${opId}${privilege.length}:${privilege}${object.type.length}:${object.type}${object.id.length}:${object.id}`;
}
