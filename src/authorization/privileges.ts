import type { DynamicId } from '../core/operations.js';

/** The privileges every role but NoAccess holds; every custom role contains them (authorization.md §1). */
export const BASE_PRIVILEGES = ['System.Anonymous', 'System.View', 'System.Read'] as const;

/** The privileges of the built-in services, beside the base ones. docs/authorization.md gives the reason for each. */
export const PRIVILEGES = {
  read: 'System.Read',
  /** See and cancel tasks that other users started. */
  viewAllTasks: 'Task.ViewAll',
  cancelOthersTask: 'Global.CancelTask',
  /** Read the privilege-check recorder (vCenter's privilege for it). */
  collectPrivilegeChecks: 'Sessions.CollectPrivilegeChecks',
} as const;

/** The one object of a server without an inventory: vCenter's root folder. Operation-level checks are made on it. */
export const ROOT_OBJECT: DynamicId = { type: 'Folder', id: 'group-d1' };

/** A privilege id: dotted segments of letters, digits, `_` and `-`, e.g. `Host.Config.Firmware`. */
const PRIVILEGE_ID = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

export function isPrivilegeId(value: string): boolean {
  return value.length <= 256 && PRIVILEGE_ID.test(value);
}
