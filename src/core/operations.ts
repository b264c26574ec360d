import type { DeclaredError, OperationError } from './declared-errors.js';
import type { ErrorType, StatusOverrides } from './errors.js';
import type { Clock } from './clock.js';
import type { LocalizableMessage } from './messages.js';
import type { Principal } from './principal.js';
import type { SchemeId } from './schemes.js';
import type { StructType, VType } from './types.js';

/** A progress update from a task; omitted fields keep their value. */
export interface ProgressReport {
  total?: number;
  /** Never goes down: a smaller value than the last is ignored. */
  completed?: number;
  message?: LocalizableMessage;
}

/** What a handler running as a task can do besides returning its result. */
export interface TaskControl {
  /** The task id, `<uuid>:<service id>`. */
  id: string;
  /** Aborted when a cancel request is honoured; hand it to whatever the work awaits. */
  signal: AbortSignal;
  progress(report: ProgressReport): Promise<void>;
  /** Whether a cancel request is accepted from now on (e.g. false past a point of no return). */
  setCancelable(cancelable: boolean): Promise<void>;
  /** BLOCKED while the work waits on something outside it (a lock, a maintenance window); RUNNING again after. */
  setBlocked(blocked: boolean): Promise<void>;
}

/** What a handler gets besides its input. */
export interface OperationContext {
  principal: Principal;
  clock: Clock;
  /** Id of the request (its operation id), for logs and the privilege-check recorder. */
  requestId: string;
  /** The address of the client that sent the request; a session records where it was created from. */
  clientAddress?: string;
  /**
   * Whether the caller holds `privilege` (on `object`, the root folder unless said); the check is
   * recorded like the engine's own. For decisions a handler takes at run time (e.g. another user's
   * task); the privilege must be listed in its service's `checks`.
   */
  hasPrivilege(privilege: string, object?: DynamicId): boolean;
  /**
   * Whether the caller holds every one of `privileges` on the root folder, each check recorded like
   * the engine's: for privileges a handler learns from its data (those of a role the caller hands
   * on), which exist already and so need no declaring in `checks`.
   */
  holdsAll(privileges: readonly string[]): boolean;
  /** Present when the operation runs as a task. */
  task?: TaskControl;
}

/** `com.vmware.vapi.std.dynamic_ID`: the resource a task acts on. */
export interface DynamicId {
  type: string;
  id: string;
}

/** Whether an operation has a task form: `task` both forms, `task_only` only the task form. */
export type TaskType = 'none' | 'task' | 'task_only';

/** How an operation is reached in the `/api` dialect. */
export interface ApiBinding {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below `/api`, with `{param}` placeholders naming input fields. */
  path: string;
  /** `?action=` value that selects this operation among those sharing method and path. */
  action?: string;
  /** Success status (200 unless said; 204 for void). */
  status?: number;
  /** Query parameters that carry input: query name → dotted input path, e.g. `return_all` → `spec.return_all`. */
  query?: Readonly<Record<string, string>>;
  /**
   * The input parameter (a structure) whose fields an `application/x-www-form-urlencoded` body may
   * carry at its top level instead of a JSON body, as OAuth 2.0 token endpoints take them (RFC 6749 §3.2).
   */
  form?: string;
}

/** A custom `/rest` binding: the path below `/rest`, with `{param}` placeholders, and its `?action=`. */
export interface RestBinding {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  action?: string;
}

export interface OperationDefinition<Input = Record<string, unknown>, Output = unknown> {
  /** Operation id within its service, e.g. `create`. */
  id: string;
  input: StructType;
  output: VType;
  /** The standard errors the operation reports, beyond those of the infrastructure. */
  errors: readonly ErrorType[];
  /** Status pins that win over the error table in `/api` (errors.md §3). */
  statusOverrides?: StatusOverrides;
  /** Errors of its own beyond the standard ones, which its handler throws as OperationError. */
  declaredErrors?: readonly DeclaredError[];
  /**
   * The declared error that reports a mistake in the input (an unknown or missing field, a value of
   * the wrong type, a body that cannot be read) instead of the standard error, given its message.
   */
  inputError?(message: string): OperationError;
  /** Its handler records audit events, which then name the request (client, dialect, request id). */
  audited?: boolean;
  /** Its answers carry credentials: every dialect sends them with `Cache-Control: no-store` (RFC 6749 §5.1). */
  issuesCredentials?: boolean;
  /** Explicit schemes; when absent the service's, then the package's apply. */
  schemes?: readonly SchemeId[];
  /** Privileges the caller needs; when absent the service's, then the package's apply (none by default). */
  privileges?: readonly string[];
  /**
   * Further privileges per input property (`param` or `param.field`), needed when that property is
   * given: the privilege metadata's `privilege_info`. Checked on the object the property names.
   */
  privilegeInfo?: Readonly<Record<string, readonly string[]>>;
  /**
   * What the operation does to the caller's session, for dialects that carry the session outside the
   * body (the `/rest` cookie): `created` answers the new session id, `ended` ends the current one.
   */
  sessionEffect?: 'created' | 'ended';
  /** How the operation is reached on `/api`; several bindings serve the same operation. */
  api?: ApiBinding | readonly ApiBinding[];
  /**
   * A custom path on the legacy `/rest` dialect (e.g. `/cis/tasks/{task}`), replacing the default
   * derived from the service id (`/rest/com/vmware/…`, `id:` segments, `?~action=`).
   */
  rest?: RestBinding;
  /** Task form (see TaskType); `none` unless said. */
  task?: TaskType;
  /** Whether the task accepts cancel requests when it starts (false unless said). */
  cancelable?: boolean;
  /** The task's `description`; by default the operation's id. */
  description?: LocalizableMessage;
  /** The task's `target`, from the input. */
  taskTarget?(input: Input): DynamicId | undefined;
  handler(input: Input, context: OperationContext): Promise<Output>;
}

/** Every `/api` binding of an operation. */
export function apiBindings(operation: Pick<OperationDefinition, 'api'>): readonly ApiBinding[] {
  if (operation.api === undefined) return [];
  return Array.isArray(operation.api) ? operation.api : [operation.api as ApiBinding];
}

export interface ServiceDefinition {
  /** Service id, e.g. `com.vmware.cis.session`. */
  id: string;
  /** Explicit schemes for every operation that declares none. */
  schemes?: readonly SchemeId[];
  /** Privileges of every operation that declares none. */
  privileges?: readonly string[];
  /** Privileges its handlers check at run time (`context.hasPrivilege`), so that roles can grant them. */
  checks?: readonly string[];
  /** Its privilege checks are not recorded: the recorder's own service (reading the record is no part of the workflow it shows). */
  unrecorded?: boolean;
  // Handlers differ in input and output types; the table treats them uniformly.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  operations: readonly OperationDefinition<any, any>[];
}

/** An operation together with the service it belongs to and its effective schemes. */
export interface ResolvedOperation {
  service: ServiceDefinition;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  operation: OperationDefinition<any, any>;
  /** The schemes enforced: operation's, else service's, else the longest matching package's. */
  schemes: readonly SchemeId[];
  /** The privileges enforced, by the same rule. */
  privileges: readonly string[];
}
