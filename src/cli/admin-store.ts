import { resolveConfig, type Flags, type ServeConfig } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { AccessControl } from '../authorization/access-control.js';
import { LocalIdentitySource } from '../identity/identity-source.js';
import { UserAdministration } from '../identity/user-administration.js';
import type { Store } from '../store/store.js';

import { STORE_FLAGS } from './commands.js';
import { openPersistentStore } from './persistent-store.js';
import { openCliAudit, type CliAudit } from './cli-audit.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** What an administration command works on: the store the servers use, its users, roles and permissions. */
export interface AdminStore {
  store: Store;
  identity: LocalIdentitySource;
  access: AccessControl;
  /** Local users as an administrator changes them. */
  users: UserAdministration;
  /** Where the command records its changes. */
  audit: CliAudit;
}

/**
 * Opens the store `--store` names (sqlite in `--data-dir` by default; either also from the
 * environment or the `--config` file), runs `work` on it and closes it. Servers may run on the
 * same store meanwhile: every change is one atomic store step.
 */
export async function withAdminStore<T>(flags: Flags, env: NodeJS.ProcessEnv, commands: string, work: (admin: AdminStore) => Promise<T>): Promise<T> {
  const config = adminConfig(flags, env);
  const store = await openPersistentStore(config.store, config.dataDir, commands);
  const identity = new LocalIdentitySource(store.users, systemClock);
  const audit = openCliAudit(flags, env);
  try {
    const access = new AccessControl(store.authorization, store.users, identity.domain);
    return await work({ store, identity, access, users: new UserAdministration(identity, access), audit });
  } finally {
    audit.close();
    await store.close();
  }
}

/**
 * The configuration an administration command works with: the store flags (and `serveFlags`, the
 * serve options it takes) over the environment and the `--config` file; its own flags (`--json`, …) are not options.
 */
export function adminConfig(flags: Flags, env: NodeJS.ProcessEnv, serveFlags: readonly string[] = []): ServeConfig {
  return resolveConfig(Object.fromEntries([...STORE_FLAGS, ...serveFlags].map((flag) => [flag, flags[flag]])), env);
}

/** `--json`: the records as an indented JSON array; otherwise one tab-separated line each. */
export function printList<T>(out: NodeJS.WritableStream, flags: Flags, records: readonly T[], line: (record: T) => string, json: (record: T) => unknown = (r) => r): void {
  if (flags.json === true) out.write(`${JSON.stringify(records.map(json), null, 2)}\n`);
  else for (const record of records) out.write(`${line(record)}\n`);
}
