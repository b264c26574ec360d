import { envName, type Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { AccessControl } from '../authorization/access-control.js';
import { LocalIdentitySource } from '../identity/identity-source.js';
import type { Store } from '../store/store.js';

import { openPersistentStore } from './persistent-store.js';
import { openCliAudit, type CliAudit } from './cli-audit.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** What an administration command works on: the store the servers use, its users, roles and permissions. */
export interface AdminStore {
  store: Store;
  identity: LocalIdentitySource;
  access: AccessControl;
  /** Where the command records its changes. */
  audit: CliAudit;
}

/**
 * Opens the store `--store` names (sqlite in `--data-dir` by default), runs `work` on it and closes
 * it. Servers may run on the same store meanwhile: every change is one atomic store step.
 */
export async function withAdminStore<T>(flags: Flags, env: NodeJS.ProcessEnv, commands: string, work: (admin: AdminStore) => Promise<T>): Promise<T> {
  const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : (env[envName('data-dir')] ?? './data');
  const spec = typeof flags.store === 'string' ? flags.store : (env[envName('store')] ?? 'sqlite');
  const store = await openPersistentStore(spec, dataDir, commands);
  const identity = new LocalIdentitySource(store.users, systemClock);
  const audit = openCliAudit(flags, env);
  try {
    return await work({ store, identity, access: new AccessControl(store.authorization, store.users, identity.domain), audit });
  } finally {
    audit.close();
    await store.close();
  }
}

/** The positional argument at `index`, or a usage error showing `usage`. */
export function argument(args: readonly string[], index: number, usage: string): string {
  const value = args[index];
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}

/** Refuses arguments beyond those a verb takes. */
export function noMoreArguments(args: readonly string[], count: number, usage: string): void {
  if (args.length > count) throw new UsageError(`unexpected argument "${args[count]}"; usage: ${usage}`);
}
