import type { PresentedCredentials } from '../auth/credentials.js';
import type { OperationError } from '../core/declared-errors.js';
import type { VapiError } from '../core/errors.js';
import type { ResolvedOperation } from '../core/operations.js';
import type { VType } from '../core/types.js';

/** Whether the caller asks for the operation's result (`inline`) or for a task that computes it. */
export type InvocationForm = 'inline' | 'task';

/** A request as a dialect parsed it: which operation, in which form, with what credentials and input. */
export interface Invocation {
  target: ResolvedOperation;
  form: InvocationForm;
  credentials: PresentedCredentials;
  /**
   * Decodes and validates the input. Called only once the caller is authenticated and authorized,
   * so that a caller who may not run the operation learns nothing about its input rules.
   */
  decodeInput(): Record<string, unknown>;
  /** The dialect's representation of a successful output of type `type`. */
  encodeOutput(type: VType, value: unknown): unknown;
  /** The request's operation id: for logs and the privilege-check recorder. */
  requestId: string;
  /** The address of the client that sent the request (Fastify's `request.ip`). */
  clientAddress: string;
}

/** Why an invocation failed: a standard error, or one the operation declares itself. */
export type Failure = VapiError | OperationError;

/** How an invocation ended; the dialect renders it. */
export type Outcome =
  /** `output` as the handler returned it; `body` encoded by the dialect (for a task, the task id). */
  | { kind: 'success'; target: ResolvedOperation; form: InvocationForm; output: unknown; body: unknown }
  | { kind: 'failure'; target?: ResolvedOperation; error: Failure }
  /** The operation has no such form (no task form, or only a task form): answered as an unknown route. */
  | { kind: 'no_route' };
