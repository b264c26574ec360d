import { message, type LocalizableMessage } from './messages.js';
import { QueueFullError } from './work-queue.js';

/**
 * The 25 vAPI standard errors (`com.vmware.vapi.std.errors.*`) and the HTTP status each gets in
 * the REST dialects. This table is the only place a status is chosen; docs/errors.md repeats it
 * and a test keeps the two in step.
 */
export const ERROR_TABLE = [
  { type: 'ERROR', name: 'error', api: 500, rest: 500 },
  { type: 'ALREADY_EXISTS', name: 'already_exists', api: 400, rest: 400 },
  { type: 'ALREADY_IN_DESIRED_STATE', name: 'already_in_desired_state', api: 400, rest: 400 },
  { type: 'CANCELED', name: 'canceled', api: 400, rest: 400 },
  { type: 'CONCURRENT_CHANGE', name: 'concurrent_change', api: 409, rest: 409 },
  { type: 'FEATURE_IN_USE', name: 'feature_in_use', api: 400, rest: 400 },
  { type: 'INTERNAL_SERVER_ERROR', name: 'internal_server_error', api: 500, rest: 500 },
  { type: 'INVALID_ARGUMENT', name: 'invalid_argument', api: 400, rest: 400 },
  { type: 'INVALID_ELEMENT_CONFIGURATION', name: 'invalid_element_configuration', api: 400, rest: 400 },
  { type: 'INVALID_ELEMENT_TYPE', name: 'invalid_element_type', api: 400, rest: 400 },
  { type: 'INVALID_REQUEST', name: 'invalid_request', api: 400, rest: 400 },
  { type: 'NOT_ALLOWED_IN_CURRENT_STATE', name: 'not_allowed_in_current_state', api: 400, rest: 400 },
  { type: 'NOT_FOUND', name: 'not_found', api: 404, rest: 404 },
  { type: 'OPERATION_NOT_FOUND', name: 'operation_not_found', api: 404, rest: 404 },
  { type: 'RESOURCE_BUSY', name: 'resource_busy', api: 400, rest: 400 },
  { type: 'RESOURCE_IN_USE', name: 'resource_in_use', api: 400, rest: 400 },
  { type: 'RESOURCE_INACCESSIBLE', name: 'resource_inaccessible', api: 400, rest: 400 },
  { type: 'SERVICE_UNAVAILABLE', name: 'service_unavailable', api: 503, rest: 503 },
  { type: 'TIMED_OUT', name: 'timed_out', api: 504, rest: 504 },
  { type: 'UNABLE_TO_ALLOCATE_RESOURCE', name: 'unable_to_allocate_resource', api: 400, rest: 400 },
  { type: 'UNAUTHENTICATED', name: 'unauthenticated', api: 401, rest: 401 },
  { type: 'UNAUTHORIZED', name: 'unauthorized', api: 403, rest: 403 },
  { type: 'UNEXPECTED_INPUT', name: 'unexpected_input', api: 400, rest: 400 },
  { type: 'UNSUPPORTED', name: 'unsupported', api: 400, rest: 400 },
  { type: 'UNVERIFIED_PEER', name: 'unverified_peer', api: 400, rest: 400 },
] as const;

export type ErrorTableRow = (typeof ERROR_TABLE)[number];
/** The `error_type` discriminator of a standard error. */
export type ErrorType = ErrorTableRow['type'];
/** Which status column of the table applies. */
export type StatusColumn = 'api' | 'rest';
/** Per-operation status overrides, which win in the `/api` dialect only (errors.md §3). */
export type StatusOverrides = Partial<Record<ErrorType, number>>;

export const STD_ERROR_PREFIX = 'com.vmware.vapi.std.errors.';

const rowByType = new Map<ErrorType, ErrorTableRow>(ERROR_TABLE.map((row) => [row.type, row]));

export function errorRow(type: ErrorType): ErrorTableRow {
  const row = rowByType.get(type);
  if (!row) throw new TypeError(`unknown error type ${String(type)}`);
  return row;
}

/** `com.vmware.vapi.std.errors.<name>`: the id JSON-RPC and the legacy envelope use. */
export function errorId(type: ErrorType): string {
  return STD_ERROR_PREFIX + errorRow(type).name;
}

export function httpStatus(type: ErrorType, column: StatusColumn, overrides?: StatusOverrides): number {
  if (column === 'api') {
    const pinned = overrides?.[type];
    if (pinned !== undefined) return pinned;
  }
  return errorRow(type)[column];
}

export interface VapiErrorOptions {
  /** Operation-specific payload (a dynamic structure); never set for UNAUTHENTICATED/UNAUTHORIZED. */
  data?: Record<string, unknown>;
  /** WWW-Authenticate style challenge, UNAUTHENTICATED only. */
  challenge?: string;
  /** Internal detail for the log; never sent to a client. */
  cause?: unknown;
  /** Extra text for the log only (e.g. why a login failed). */
  reason?: string;
}

/**
 * A standard error on its way to a client. What a client sees is `errorType`, `messages`,
 * `data` and `challenge`; `cause` and `reason` are for the log only.
 */
export class VapiError extends Error {
  readonly errorType: ErrorType;
  readonly messages: LocalizableMessage[];
  readonly data: Record<string, unknown> | undefined;
  readonly challenge: string | undefined;
  readonly reason: string | undefined;

  constructor(errorType: ErrorType, messages: LocalizableMessage[], options: VapiErrorOptions = {}) {
    super(messages[0]?.default_message ?? errorType, { cause: options.cause });
    this.name = 'VapiError';
    this.errorType = errorType;
    this.messages = messages;
    this.data = options.data;
    this.challenge = options.challenge;
    this.reason = options.reason;
  }

  withChallenge(challenge: string): VapiError {
    return new VapiError(this.errorType, this.messages, {
      data: this.data,
      challenge,
      cause: this.cause,
      reason: this.reason,
    });
  }
}

/** The one UNAUTHENTICATED every credential failure becomes; `reason` goes to the log only. */
export function unauthenticated(reason: string): VapiError {
  return new VapiError(
    'UNAUTHENTICATED',
    [message('com.vmware.vapi.endpoint.method.authentication.required', 'Authentication required.')],
    { reason },
  );
}

/** The one UNAUTHORIZED every missing privilege becomes (authorization.md §2); `reason` goes to the log only. */
export function unauthorized(reason: string): VapiError {
  return new VapiError('UNAUTHORIZED', [message('vapi.security.authorization.invalid', 'Unable to authorize user')], { reason });
}

export function serviceUnavailable(cause: unknown, msg = message(
  'com.vmware.vapi.endpoint.session.service_unavailable',
  'The session service is unavailable.',
)): VapiError {
  return new VapiError('SERVICE_UNAVAILABLE', [msg], { cause });
}

export function internalServerError(cause: unknown): VapiError {
  return new VapiError(
    'INTERNAL_SERVER_ERROR',
    [message('com.vmware.vapi.endpoint.internal_server_error', 'An internal error occurred in the server.')],
    { cause },
  );
}

export function invalidRequest(id: string, text: string, args: string[] = []): VapiError {
  return new VapiError('INVALID_REQUEST', [message(id, text, args)]);
}

export function invalidArgument(id: string, text: string, args: string[] = []): VapiError {
  return new VapiError('INVALID_ARGUMENT', [message(id, text, args)]);
}

export function unexpectedInput(field: string): VapiError {
  return new VapiError('UNEXPECTED_INPUT', [
    message('com.vmware.vapi.endpoint.input.unexpected', `Unexpected input field ${field}.`, [field]),
  ]);
}

export function notFound(id: string, text: string, args: string[] = []): VapiError {
  return new VapiError('NOT_FOUND', [message(id, text, args)]);
}

export function operationNotFound(service: string, operation: string): VapiError {
  return new VapiError('OPERATION_NOT_FOUND', [
    message(
      'com.vmware.vapi.endpoint.operation.not_found',
      `Operation ${operation} of service ${service} was not found.`,
      [service, operation],
    ),
  ]);
}

/** Any thrown value, as the standard error a client may see. */
export function toVapiError(error: unknown): VapiError {
  if (error instanceof VapiError) return error;
  if (error instanceof StoreUnavailableError) return serviceUnavailable(error);
  if (error instanceof DirectoryUnavailableError) {
    return serviceUnavailable(error, message('com.vmware.vapi.endpoint.identity_source.unavailable', 'The identity source is unavailable; try again later.'));
  }
  if (error instanceof QueueFullError) {
    return serviceUnavailable(error, message('com.vmware.vapi.endpoint.busy', 'The server is busy; try again later.'));
  }
  return internalServerError(error);
}

/**
 * Thrown by an external identity source (LDAP, AD) when none of its servers answers in time; the
 * client sees SERVICE_UNAVAILABLE. The message names the source and the last server's failure, never a credential.
 */
export class DirectoryUnavailableError extends Error {
  override name = 'DirectoryUnavailableError';
}

/** Thrown by a store when its backend cannot answer; the client sees SERVICE_UNAVAILABLE. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
