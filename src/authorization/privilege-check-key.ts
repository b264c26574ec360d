import type { PrivilegeCheck } from '../store/store.js';

/** What makes two checks the same (every field), as one string: a batch holds a check once. */
export function privilegeCheckKey(check: PrivilegeCheck): string {
  const principal = check.principal ? `${check.principal.name}@${check.principal.domain}`.toLowerCase() : '';
  return JSON.stringify([principal, check.session ?? '', check.opId, check.privilege, check.object.type, check.object.id]);
}
