import type { PresentedCredentials } from '../auth/credentials.js';
import type { ResolvedOperation } from '../core/operations.js';
import type { Principal } from '../core/principal.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';
import type { AuditTrail } from './audit-trail.js';
import { classOfFailure, shortScheme } from './reason-class.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * What the engine tells the audit trail and the metrics: every authentication is counted; the
 * login operation (the one creating a session) and the logout (ending it) are audited.
 */
export class InvocationReports {
  readonly #audit: AuditTrail;
  readonly #metrics: ServerMetrics;

  constructor(audit: AuditTrail, metrics: ServerMetrics) {
    this.#audit = audit;
    this.#metrics = metrics;
  }

  authenticated(scheme: SchemeId | undefined): void {
    this.#metrics.authentications.inc({ scheme: shortScheme(scheme ?? SCHEMES.none), result: 'success' });
  }

  refused(target: ResolvedOperation, scheme: SchemeId | undefined, credentials: PresentedCredentials, error: unknown): void {
    const reason = classOfFailure(error);
    const name = shortScheme(scheme ?? SCHEMES.none);
    this.#metrics.authentications.inc({ scheme: name, result: reason });
    if (target.operation.sessionEffect !== 'created') return;
    // The submitted name only: the password, a token or a session id never reaches the trail.
    const user = scheme === SCHEMES.userPass ? credentials[SCHEMES.userPass]?.userName : undefined;
    this.#audit.record({ event: 'login.failure', ...(user === undefined ? {} : { user }), scheme: name, reason });
  }

  /** After an operation succeeded: a session created is a login, one ended a logout. */
  ran(target: ResolvedOperation, principal: Principal): void {
    const effect = target.operation.sessionEffect;
    if (effect === undefined) return;
    this.#metrics.sessions.inc({ event: effect });
    const actor = principal.actor === undefined ? {} : { actor: principal.actor };
    this.#audit.record({ event: effect === 'created' ? 'login.success' : 'logout', user: principal.name, domain: principal.domain, scheme: shortScheme(principal.scheme), ...actor });
  }
}
