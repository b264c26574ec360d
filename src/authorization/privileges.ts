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
  /** End other users' sessions (vCenter's privilege for it). */
  terminateSession: 'Sessions.TerminateSession',
  /** Create, change, unlock and remove local users. */
  manageUsers: 'VapiAuth.ManageUsers',
  /** Create, change and remove custom roles (vCenter's privilege for it). */
  modifyRoles: 'Authorization.ModifyRoles',
  /** Give and take roles (vCenter's privilege for it). */
  modifyPermissions: 'Authorization.ModifyPermissions',
  /** Read the audit trail. */
  readAudit: 'VapiAuth.ReadAudit',
} as const;

/** What each privilege of the base and the built-in services allows, for a role editor. */
export const PRIVILEGE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'System.Anonymous': 'Held by every role but NoAccess.',
  'System.View': 'Held by every role but NoAccess.',
  'System.Read': 'Read: sessions, users, roles, permissions, the metadata, one\'s own tasks.',
  [PRIVILEGES.viewAllTasks]: 'See tasks other users started.',
  [PRIVILEGES.cancelOthersTask]: 'Cancel tasks other users started.',
  [PRIVILEGES.collectPrivilegeChecks]: 'Read the privilege-check recorder: every user\'s activity.',
  [PRIVILEGES.terminateSession]: 'End any user\'s session.',
  [PRIVILEGES.manageUsers]: 'Create local users, set their passwords, unlock and remove them.',
  [PRIVILEGES.modifyRoles]: 'Create, change and remove custom roles.',
  [PRIVILEGES.modifyPermissions]: 'Give roles to users and groups, and take them away.',
  [PRIVILEGES.readAudit]: 'Read the audit trail: logins, lockouts and changes, by whom and from where.',
};

/** The one object of a server without an inventory: vCenter's root folder. Operation-level checks are made on it. */
export const ROOT_OBJECT: DynamicId = { type: 'Folder', id: 'group-d1' };

/** A privilege id: dotted segments of letters, digits, `_` and `-`, e.g. `Host.Config.Firmware`. */
const PRIVILEGE_ID = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

export function isPrivilegeId(value: string): boolean {
  return value.length <= 256 && PRIVILEGE_ID.test(value);
}
