import type { Authentication } from '../auth/authentication.js';
import type { PresentedCredentials } from '../auth/credentials.js';
import type { Clock } from '../core/clock.js';
import { toVapiError, VapiError } from '../core/errors.js';
import type { ResolvedOperation } from '../core/operations.js';
import type { TaskRunner } from '../tasks/task-runner.js';

export interface Invocation {
  target: ResolvedOperation;
  credentials: PresentedCredentials;
  /**
   * Decodes and validates the input. Called only once the caller is authenticated, so that an
   * anonymous caller learns nothing about an operation's input rules.
   */
  decodeInput(): Record<string, unknown>;
  requestId: string;
  /** Run as a task: answer the task id at once. The dialect has checked that the operation has a task form. */
  asTask?: boolean;
}

/**
 * The one way an operation runs, whatever the dialect: authenticate with the schemes the table
 * lists, validate the input, run the handler. Every failure leaves as a VapiError.
 */
export class Engine {
  readonly #authentication: Authentication;
  readonly #clock: Clock;
  readonly #tasks: TaskRunner;

  constructor(authentication: Authentication, clock: Clock, tasks: TaskRunner) {
    this.#authentication = authentication;
    this.#clock = clock;
    this.#tasks = tasks;
  }

  async invoke(invocation: Invocation): Promise<unknown> {
    try {
      const principal = await this.#authentication.authenticate(invocation.target.schemes, invocation.credentials);
      const input = invocation.decodeInput();
      if (invocation.asTask) return await this.#tasks.start(invocation.target, input, principal, invocation.requestId);
      return await invocation.target.operation.handler(input, {
        principal,
        clock: this.#clock,
        requestId: invocation.requestId,
      });
    } catch (error) {
      throw this.normalize(error);
    }
  }

  /** Any thrown value as the standard error to send, UNAUTHENTICATED with the server's challenge. */
  normalize(error: unknown): VapiError {
    const vapiError = toVapiError(error);
    return vapiError.errorType === 'UNAUTHENTICATED' && vapiError.challenge === undefined
      ? vapiError.withChallenge(this.#authentication.challenge)
      : vapiError;
  }
}
