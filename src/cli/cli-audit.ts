import { userInfo } from 'node:os';
import { envName, type Flags } from '../config/options.js';
import { AuditLog } from '../observability/audit-log.js';
import { AuditTrail, type AuditFields } from '../observability/audit-trail.js';

/** The audit trail of one CLI command: what it changed, by whom. */
export interface CliAudit {
  record(fields: Omit<AuditFields, 'scheme' | 'operator'>): void;
  close(): void;
}

/**
 * Writes a command's changes to the servers' audit log: `--audit-log`, else `VAPI_AUTH_AUDIT_LOG`;
 * nowhere when neither is set.
 */
export function openCliAudit(flags: Flags, env: NodeJS.ProcessEnv): CliAudit {
  const destination = typeof flags['audit-log'] === 'string' ? flags['audit-log'] : env[envName('audit-log')];
  const log = destination ? new AuditLog(destination) : undefined;
  const trail = new AuditTrail(log ? [log.write] : []);
  const operator = userInfo().username;
  return {
    record: (fields) => trail.record({ ...fields, scheme: 'cli', operator }),
    close: () => log?.close(),
  };
}
