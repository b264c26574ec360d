import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent } from './audit-trail.js';

/** What the gauges read at scrape time. */
export interface MetricSources {
  /** Password checks waiting for a hashing slot in this process. */
  hashQueueDepth: () => number;
  /** Tasks running in this process. */
  runningTasks: () => number;
  /** Sessions live now, counted by the store. */
  liveSessions: () => Promise<number>;
}

/**
 * The logins outside the engine, counted from their audit events; the engine counts the vAPI
 * schemes itself (on every request, not only at login).
 */
const OWN_LOGINS = new Set(['omivv_login', 'sts_username_token', 'sts_certificate']);

const TOKEN_EVENTS: Partial<Record<AuditEvent['event'], string>> = { 'jwt.issued': 'jwt', 'sts.issued': 'saml', 'sts.renewed': 'saml' };

/**
 * The server's Prometheus metrics, in a registry of its own (several servers may share a process,
 * as in tests). Counters count what this process saw; with several workers the primary sums them.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'vapi_auth_requests_total',
    help: 'Requests answered, by dialect, operation (or route) and HTTP status.',
    labelNames: ['dialect', 'operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'vapi_auth_request_duration_seconds',
    help: 'Time from a request’s arrival to its answer, by dialect.',
    labelNames: ['dialect'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly authentications = new Counter({
    name: 'vapi_auth_authentications_total',
    help: 'Authentications by scheme and result (success, or the class of the failure).',
    labelNames: ['scheme', 'result'] as const,
    registers: [this.registry],
  });
  readonly lockouts = new Counter({ name: 'vapi_auth_lockouts_total', help: 'Account locks started.', registers: [this.registry] });
  readonly sessions = new Counter({
    name: 'vapi_auth_sessions_total',
    help: 'Sessions created and ended (logout), by event.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly tasks = new Counter({
    name: 'vapi_auth_tasks_total',
    help: 'Tasks reaching each state (PENDING, RUNNING, SUCCEEDED, FAILED) in this process.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'vapi_auth_tokens_issued_total',
    help: 'Tokens issued: jwt by the OMIVV login, saml by the STS (issue and renew), either by a token exchange.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'vapi_auth_store_errors_total',
    help: 'Requests that failed because the store did not answer.',
    labelNames: ['dialect'] as const,
    registers: [this.registry],
  });
  readonly unavailable = new Counter({
    name: 'vapi_auth_unavailable_total',
    help: 'Requests answered 503 (store down, session caps, password-check queue full, limits).',
    labelNames: ['dialect'] as const,
    registers: [this.registry],
  });

  /** Adds the gauges read from `sources` at each scrape. */
  watch(sources: MetricSources): void {
    new Gauge({
      name: 'vapi_auth_password_hash_queue_depth',
      help: 'Password checks waiting for a hashing slot.',
      registers: [this.registry],
      collect() {
        this.set(sources.hashQueueDepth());
      },
    });
    new Gauge({
      name: 'vapi_auth_sessions_live',
      help: 'Sessions live now, counted by the store at each scrape (NaN while it does not answer).',
      registers: [this.registry],
      // Every worker reads the same store: the primary keeps one of their equal answers, not their sum.
      aggregator: 'max',
      async collect() {
        this.set(await sources.liveSessions().catch(() => NaN));
      },
    });
    new Gauge({
      name: 'vapi_auth_tasks_running',
      help: 'Tasks running now.',
      registers: [this.registry],
      collect() {
        this.set(sources.runningTasks());
      },
    });
  }

  /** Counts what the audit trail reports: lockouts, logouts, issued tokens, the OMIVV and STS logins. */
  readonly audited = (event: AuditEvent): void => {
    if ((event.event === 'login.success' || event.event === 'login.failure') && OWN_LOGINS.has(event.scheme ?? '')) {
      this.authentications.inc({ scheme: event.scheme!, result: event.event === 'login.success' ? 'success' : (event.reason ?? 'error') });
    }
    if (event.event === 'lockout.started') this.lockouts.inc();
    else if (event.event === 'logout') this.sessions.inc({ event: 'ended' });
    const kind = event.event === 'token.exchanged' ? (event.target === 'saml2' ? 'saml' : 'jwt') : TOKEN_EVENTS[event.event];
    if (kind) this.tokens.inc({ kind });
  };
}
