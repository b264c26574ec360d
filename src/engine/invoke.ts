import type { Authentication } from '../auth/authentication.js';
import type { Authorizer } from '../authorization/authorizer.js';
import type { PrivilegeSet } from '../authorization/policy.js';
import { ROOT_OBJECT } from '../authorization/privileges.js';
import type { PrivilegeRecorder } from '../authorization/privilege-recorder.js';
import type { Clock } from '../core/clock.js';
import { OperationError } from '../core/declared-errors.js';
import { toVapiError, unauthorized, VapiError } from '../core/errors.js';
import type { DynamicId, OperationContext, ResolvedOperation } from '../core/operations.js';
import type { Principal } from '../core/principal.js';
import type { TaskRunner } from '../tasks/task-runner.js';
import type { InvocationReports } from '../observability/invocation-reports.js';
import { inputObjects } from '../core/input-objects.js';
import type { Failure, Invocation, Outcome } from './invocation.js';

export interface EngineParts {
  authentication: Authentication;
  authorizer: Authorizer;
  recorder: PrivilegeRecorder;
  clock: Clock;
  tasks: TaskRunner;
  reports: InvocationReports;
}

/** What the steps of one invocation learn, in order. */
interface State {
  readonly invocation: Invocation;
  principal?: Principal;
  /** Set by `authorize` when the operation needs privileges or checks some at run time. */
  privileges?: PrivilegeSet;
  input?: Record<string, unknown>;
  output?: unknown;
  body?: unknown;
}

/** Thrown by `resolveForm`: the operation has no such form. */
class NoSuchForm extends Error {}

/**
 * The one way an operation runs, whatever the dialect: a short list of named steps over the
 * operation table's declarations. Every failure becomes an Outcome; nothing is thrown to the dialect.
 */
export class Engine {
  readonly #parts: EngineParts;
  readonly #steps: readonly ((state: State) => Promise<void> | void)[] = [
    (state) => this.#resolveForm(state),
    (state) => this.#authenticate(state),
    (state) => this.#authorize(state),
    (state) => this.#decode(state),
    (state) => this.#authorizeInput(state),
    (state) => this.#run(state),
    (state) => this.#encode(state),
  ];

  constructor(parts: EngineParts) {
    this.#parts = parts;
  }

  async invoke(invocation: Invocation): Promise<Outcome> {
    const state: State = { invocation };
    try {
      for (const step of this.#steps) await step(state);
    } catch (error) {
      if (error instanceof NoSuchForm) return { kind: 'no_route' };
      return { kind: 'failure', target: invocation.target, error: this.#failureOf(error, invocation.target) };
    }
    return { kind: 'success', target: invocation.target, form: invocation.form, output: state.output, body: state.body };
  }

  /** Any thrown value as the standard error to send, UNAUTHENTICATED with the server's challenge. */
  failure(error: unknown): VapiError {
    const vapiError = toVapiError(error);
    return vapiError.errorType === 'UNAUTHENTICATED' && vapiError.challenge === undefined
      ? vapiError.withChallenge(this.#parts.authentication.challenge)
      : vapiError;
  }

  /** A declared error of the operation as it is; anything else (another operation's error included) as a standard error. */
  #failureOf(error: unknown, target: ResolvedOperation): Failure {
    if (error instanceof OperationError && target.operation.declaredErrors?.includes(error.declared)) return error;
    return this.failure(error);
  }

  /** An operation without a task form has no task invocation, and a task-only one no inline one. */
  #resolveForm({ invocation }: State): void {
    const type = invocation.target.operation.task ?? 'none';
    if (invocation.form === 'task' ? type === 'none' : type === 'task_only') throw new NoSuchForm();
  }

  async #authenticate(state: State): Promise<void> {
    const { target, credentials } = state.invocation;
    const { authentication, reports } = this.#parts;
    const scheme = authentication.schemeFor(target.schemes, credentials);
    try {
      state.principal = await authentication.authenticate(target.schemes, credentials);
    } catch (error) {
      reports.refused(target, scheme, credentials, error);
      throw error;
    }
    reports.authenticated(scheme);
  }

  /** The operation's privileges, on the root object; before the input is decoded (authorization.md §2). */
  async #authorize(state: State): Promise<void> {
    const { service, operation, privileges } = state.invocation.target;
    const needed = privileges.length > 0 || operation.privilegeInfo !== undefined || (service.checks?.length ?? 0) > 0;
    if (!needed) return;
    state.privileges = await this.#parts.authorizer.privilegesOf(state.principal!);
    this.#require(state, privileges, ROOT_OBJECT);
  }

  /** Input mistakes are the standard errors, or the operation's own input error where it declares one. */
  #decode(state: State): void {
    try {
      state.input = state.invocation.decodeInput();
    } catch (error) {
      const { inputError } = state.invocation.target.operation;
      if (inputError && error instanceof VapiError) throw inputError(error.messages[0]?.default_message ?? 'The request is not valid.');
      throw error;
    }
  }

  /** The privileges of each input property that names an object (`privilege_info`), on that object. */
  #authorizeInput(state: State): void {
    const { operation } = state.invocation.target;
    for (const [path, privileges] of Object.entries(operation.privilegeInfo ?? {})) {
      for (const object of inputObjects(operation.input, state.input!, path)) this.#require(state, privileges, object);
    }
  }

  async #run(state: State): Promise<void> {
    const { invocation } = state;
    const context = this.#context(state);
    state.output =
      invocation.form === 'task'
        ? await this.#parts.tasks.start(invocation.target, state.input!, context)
        : await invocation.target.operation.handler(state.input!, context);
    this.#parts.reports.ran(invocation.target, state.principal!);
  }

  #encode(state: State): void {
    const { invocation } = state;
    state.body = invocation.form === 'task' ? state.output : invocation.encodeOutput(invocation.target.operation.output, state.output);
  }

  #context(state: State): Omit<OperationContext, 'task'> {
    const { target, requestId, clientAddress } = state.invocation;
    return {
      principal: state.principal!,
      clock: this.#parts.clock,
      requestId,
      clientAddress,
      hasPrivilege: (privilege, object = ROOT_OBJECT) => {
        if (!target.service.checks?.includes(privilege)) throw new Error(`${target.service.id} checks ${privilege} without declaring it in checks`);
        this.#record(state, privilege, object);
        return state.privileges!.has(privilege);
      },
      holdsAll: (privileges) => {
        for (const privilege of privileges) this.#record(state, privilege, ROOT_OBJECT);
        return privileges.every((privilege) => state.privileges!.has(privilege));
      },
    };
  }

  /** Checks and records each privilege; UNAUTHORIZED (the missing ones go to the log only) unless all are held. */
  #require(state: State, privileges: readonly string[], object: DynamicId): void {
    for (const privilege of privileges) this.#record(state, privilege, object);
    const missing = privileges.filter((privilege) => !state.privileges!.has(privilege));
    if (missing.length > 0) throw unauthorized(`missing ${missing.join(', ')} on ${object.type}:${object.id}`);
  }

  #record(state: State, privilege: string, object: DynamicId): void {
    const { target, requestId } = state.invocation;
    if (target.service.unrecorded) return;
    const { name, domain, session } = state.principal!;
    this.#parts.recorder.record({ principal: { name, domain }, ...(session ? { session: session.key } : {}), opId: requestId, privilege, object });
  }
}
