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
  | 'role.added'
  | 'role.removed'
  | 'permission.added'
  | 'permission.removed'
  | 'key.rotated'
  | 'key.revoked';

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
  /** What a CLI change acted on beyond the user: a role, a key id; the token type a token exchange issued. */
  target?: string;
  /** Who acted for `user`: the solution user that obtained the user's token by delegation (ActAs). */
  actor?: string;
  /** The operating-system account that ran a CLI command. */
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

/** Hands each event, stamped with the time and its request's context, to every listener. */
export class AuditTrail {
  readonly #listeners: AuditListener[];

  constructor(listeners: readonly AuditListener[] = []) {
    this.#listeners = [...listeners];
  }

  listen(listener: AuditListener): void {
    this.#listeners.push(listener);
  }

  record(fields: AuditFields): void {
    if (this.#listeners.length === 0) return;
    const context = currentRequest();
    const event: AuditEvent = { time: new Date().toISOString(), ...fields, ...context };
    for (const listener of this.#listeners) listener(event);
  }
}
