import { currentRequest } from './request-context.js';

/** Every kind of audit event. */
export type AuditEventName =
  | 'login.success'
  | 'login.failure'
  | 'logout'
  | 'session.expired'
  | 'lockout.started'
  | 'jwt.issued'
  | 'jwt.logoff'
  | 'sts.issued'
  | 'sts.renewed'
  | 'sts.validated'
  | 'token.exchanged'
  | 'token.exchange_refused'
  | 'user.added'
  | 'user.removed'
  | 'solution_user.added'
  | 'solution_user.removed'
  | 'user.password_changed'
  | 'user.role_changed'
  | 'user.unlocked'
  | 'role.added'
  | 'role.changed'
  | 'role.removed'
  | 'permission.added'
  | 'permission.removed'
  | 'key.rotated'
  | 'key.revoked'
  | 'session.revoked';

/** What the part that saw the event knows. Never a password, token, session id or key. */
export interface AuditFields {
  event: AuditEventName;
  /** The user as named (submitted, or of the account). */
  user?: string;
  domain?: string;
  /** The scheme or login path: `user_pass`, `saml_bearer_token`, `omivv_login`, `sts_username_token`, `cli`… */
  scheme?: string;
  /** Why a login failed, as a class (`bad_credentials`, `locked`, `unavailable`…), or an STS validation's verdict. */
  reason?: string;
  /** What a change acted on beyond the user: a role, a key id, a session's handle; the token type a token exchange issued. */
  target?: string;
  /** Who acted for `user`: the solution user that obtained the user's token by delegation (ActAs). */
  actor?: string;
  /** Who made a change: the operating-system account that ran a CLI command, or the API caller (`name@DOMAIN`). */
  operator?: string;
}

/** One audit line: the fields, when, and the request's context when there was a request. */
export interface AuditEvent extends AuditFields {
  time: string;
  client?: string;
  dialect?: string;
  requestId?: string;
}

export type AuditListener = (event: AuditEvent) => void;

/** How many of the latest events a trail with a destination keeps in memory, for the audit operation. */
export const RECENT_AUDIT_EVENTS = 1000;

/**
 * Hands each event, stamped with the time and its request's context, to every listener. Once it has
 * a destination (an audit log, an embedder's listener), it also keeps the latest events, so that
 * they can be read without reading the log back.
 */
export class AuditTrail {
  readonly #listeners: AuditListener[];
  /** Oldest first; undefined while the trail has no destination. */
  #recent: AuditEvent[] | undefined;

  /** `destinations`: where the audit trail is kept; `observers`: listeners that only count (metrics). */
  constructor(destinations: readonly AuditListener[] = [], observers: readonly AuditListener[] = []) {
    this.#listeners = [...destinations, ...observers];
    if (destinations.length > 0) this.#recent = [];
  }

  /** Adds a destination. */
  listen(listener: AuditListener): void {
    this.#listeners.push(listener);
    this.#recent ??= [];
  }

  /** Adds a listener that only looks on (counts, passes events on): no destination. */
  observe(listener: AuditListener): void {
    this.#listeners.push(listener);
  }

  /** The latest events, newest first (at most RECENT_AUDIT_EVENTS); undefined when the trail has no destination. */
  recent(): AuditEvent[] | undefined {
    return this.#recent && [...this.#recent].reverse();
  }

  record(fields: AuditFields): void {
    if (this.#listeners.length === 0) return;
    const context = currentRequest();
    const event: AuditEvent = { time: new Date().toISOString(), ...fields, ...context };
    this.remember(event);
    for (const listener of this.#listeners) listener(event);
  }

  /** Keeps an event among the latest without handing it on: one that another process of this node recorded (and wrote) itself. */
  remember(event: AuditEvent): void {
    if (!this.#recent) return;
    this.#recent.push(event);
    if (this.#recent.length > RECENT_AUDIT_EVENTS) this.#recent.shift();
  }
}
