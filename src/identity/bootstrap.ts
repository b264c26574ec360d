import { randomBytes } from 'node:crypto';
import type { AccessControl } from '../authorization/access-control.js';
import type { LocalIdentitySource } from './identity-source.js';

export const ADMINISTRATOR = 'administrator@vsphere.local';

/** A random password that survives copy and paste: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Creates `administrator@vsphere.local` with the Administrator role when it does not exist, with
 * `password` or a generated one. Returns the generated password (to show once), or undefined when
 * none was generated.
 */
export async function ensureAdministrator(identity: LocalIdentitySource, access: AccessControl, password?: string): Promise<string | undefined> {
  if (await identity.find(ADMINISTRATOR)) return undefined;
  const chosen = password ?? generatePassword();
  const created = await identity.add(ADMINISTRATOR, chosen);
  if (created) await access.grant(ADMINISTRATOR, 'Administrator');
  return created && password === undefined ? chosen : undefined;
}
