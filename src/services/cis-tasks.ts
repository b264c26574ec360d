import { PRIVILEGES } from '../authorization/privileges.js';
import { invalidArgument, unauthorized, VapiError } from '../core/errors.js';
import { message } from '../core/messages.js';
import type { OperationTable } from '../core/operation-table.js';
import type { DynamicId, OperationContext, ServiceDefinition } from '../core/operations.js';
import { dynamicIdType, operationInput, t } from '../core/types.js';
import { userKey, type QualifiedName } from '../identity/user-name.js';
import type { TaskFilter, TaskRecord, TaskStatus, TaskStore } from '../store/store.js';
import { taskNotFound } from '../tasks/task-errors.js';
import { taskInfo, taskInfoType, taskStatusType } from '../tasks/task-info.js';
import type { TaskRunner } from '../tasks/task-runner.js';

export const TASKS_SERVICE_ID = 'com.vmware.cis.tasks';
/** `list` answers at most this many tasks; more matches are RESOURCE_INACCESSIBLE. */
export const MAX_LISTED_TASKS = 1000;

const taskId = t.id('com.vmware.cis.task');

export const getSpecType = t.struct('com.vmware.cis.tasks.get_spec', {
  return_all: t.optional(t.boolean),
  exclude_result: t.optional(t.boolean),
});

export const filterSpecType = t.struct('com.vmware.cis.tasks.filter_spec', {
  tasks: t.optional(t.set(taskId)),
  services: t.optional(t.set(t.id('com.vmware.vapi.service'))),
  operations: t.optional(t.set(t.id('com.vmware.vapi.operation'))),
  status: t.optional(t.set(taskStatusType)),
  targets: t.optional(t.list(dynamicIdType)),
  users: t.optional(t.set(t.string)),
});

interface GetSpec {
  return_all?: boolean;
  exclude_result?: boolean;
}

interface FilterSpec {
  tasks?: string[];
  services?: string[];
  operations?: string[];
  status?: TaskStatus[];
  targets?: DynamicId[];
  users?: string[];
}

/** RESOURCE_INACCESSIBLE is 500 in `/api` for every cis.tasks operation (errors.md §3). */
const STATUS_OVERRIDES = { RESOURCE_INACCESSIBLE: 500 };

/** Whether the caller may see `task`: its own, or any with Task.ViewAll (checked, and recorded, only for others' tasks). */
function visible(task: TaskRecord, context: OperationContext): boolean {
  return task.userKey === context.principal.userKey || context.hasPrivilege(PRIVILEGES.viewAllTasks);
}

/** The account keys a `users` filter names, in any form an identity source accepts; a name that parses as none matches no task. */
function userKeysOf(users: readonly string[], parseName: (name: string) => QualifiedName | undefined): string[] {
  return users.map((name) => {
    const qualified = parseName(name);
    return qualified ? userKey(qualified) : `\u0000${name}`;
  });
}

/** Visibility as a filter: a caller with Task.ViewAll sees every task, anyone else their own. */
function restrictToVisible(filter: TaskFilter, context: OperationContext): TaskFilter {
  const { principal } = context;
  if (context.hasPrivilege(PRIVILEGES.viewAllTasks)) return filter;
  const wanted = filter.userKeys ?? [];
  const own = wanted.length === 0 || wanted.includes(principal.userKey) ? [principal.userKey] : [];
  return { ...filter, userKeys: own.length > 0 ? own : ['\u0000none'] };
}

/** `com.vmware.cis.tasks`: get, list, cancel over the task store (tasks.md). */
export function cisTasksService(store: TaskStore, runner: TaskRunner, table: OperationTable, parseName: (name: string) => QualifiedName | undefined): ServiceDefinition {
  const outputTypeOf = (task: TaskRecord) => table.lookup(task.service, task.operation)?.operation.output;

  const read = async (id: string, context: OperationContext): Promise<TaskRecord> => {
    const task = await store.get(id, context.clock.now());
    // A task the caller may not see is reported as missing: no existence oracle.
    if (!task || !visible(task, context)) throw taskNotFound(id);
    return runner.reconcile(task);
  };

  return {
    id: TASKS_SERVICE_ID,
    // Reading and canceling one's own tasks needs read access; other users' tasks need more (checked in the handlers).
    privileges: [PRIVILEGES.read],
    checks: [PRIVILEGES.viewAllTasks, PRIVILEGES.cancelOthersTask],
    operations: [
      {
        id: 'get',
        input: operationInput({ task: taskId, spec: t.optional(getSpecType) }),
        output: taskInfoType,
        errors: ['ERROR', 'NOT_FOUND', 'RESOURCE_INACCESSIBLE', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        statusOverrides: STATUS_OVERRIDES,
        api: {
          method: 'GET',
          path: '/cis/tasks/{task}',
          query: { return_all: 'spec.return_all', exclude_result: 'spec.exclude_result' },
        },
        rest: { method: 'GET', path: '/cis/tasks/{task}' },
        handler: async (input: { task: string; spec?: GetSpec }, context) => {
          const task = await read(input.task, context);
          return taskInfo(task, outputTypeOf(task), input.spec?.exclude_result ?? false);
        },
      },
      {
        id: 'list',
        input: operationInput({ filter_spec: t.optional(filterSpecType), result_spec: t.optional(getSpecType) }),
        output: t.map(taskId, taskInfoType),
        errors: ['INVALID_ARGUMENT', 'RESOURCE_INACCESSIBLE', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED', 'UNAUTHORIZED'],
        statusOverrides: STATUS_OVERRIDES,
        api: [
          { method: 'POST', path: '/cis/tasks', action: 'list' },
          {
            method: 'GET',
            path: '/cis/tasks',
            query: {
              tasks: 'filter_spec.tasks',
              services: 'filter_spec.services',
              operations: 'filter_spec.operations',
              status: 'filter_spec.status',
              users: 'filter_spec.users',
              return_all: 'result_spec.return_all',
              exclude_result: 'result_spec.exclude_result',
            },
          },
        ],
        rest: { method: 'GET', path: '/cis/tasks' },
        handler: async (input: { filter_spec?: FilterSpec; result_spec?: GetSpec }, context) => {
          const spec = input.filter_spec ?? {};
          if ((spec.tasks ?? []).length === 0 && (spec.services ?? []).length === 0) {
            throw invalidArgument(
              'com.vmware.cis.tasks.filter_spec.empty',
              'At least one of filter_spec.tasks or filter_spec.services must be set.',
              ['filter_spec'],
            );
          }
          const filter: TaskFilter = {
            ...(spec.tasks ? { ids: spec.tasks } : {}),
            ...(spec.services ? { services: spec.services } : {}),
            ...(spec.operations ? { operations: spec.operations } : {}),
            ...(spec.status ? { statuses: spec.status } : {}),
            ...(spec.targets ? { targets: spec.targets } : {}),
            ...(spec.users ? { userKeys: userKeysOf(spec.users, parseName) } : {}),
          };
          const tasks = await store.list(restrictToVisible(filter, context), context.clock.now(), MAX_LISTED_TASKS + 1);
          if (tasks.length > MAX_LISTED_TASKS) {
            throw new VapiError('RESOURCE_INACCESSIBLE', [
              message('com.vmware.cis.tasks.list.too_many', `More than ${MAX_LISTED_TASKS} tasks match; narrow the filter.`, [
                String(MAX_LISTED_TASKS),
              ]),
            ]);
          }
          const excludeResult = input.result_spec?.exclude_result ?? false;
          const entries = await Promise.all(
            tasks.map(async (task) => {
              const current = await runner.reconcile(task);
              return [current.id, taskInfo(current, outputTypeOf(current), excludeResult)] as const;
            }),
          );
          return Object.fromEntries(entries);
        },
      },
      {
        id: 'cancel',
        input: operationInput({ task: taskId }),
        output: t.void,
        errors: [
          'ERROR',
          'NOT_ALLOWED_IN_CURRENT_STATE',
          'NOT_FOUND',
          'RESOURCE_INACCESSIBLE',
          'SERVICE_UNAVAILABLE',
          'UNAUTHENTICATED',
          'UNAUTHORIZED',
          'UNSUPPORTED',
        ],
        statusOverrides: STATUS_OVERRIDES,
        api: { method: 'POST', path: '/cis/tasks/{task}', action: 'cancel' },
        rest: { method: 'POST', path: '/cis/tasks/{task}', action: 'cancel' },
        handler: async (input: { task: string }, context) => {
          const task = await read(input.task, context);
          if (task.userKey !== context.principal.userKey && !context.hasPrivilege(PRIVILEGES.cancelOthersTask)) {
            throw unauthorized(`missing ${PRIVILEGES.cancelOthersTask} to cancel another user's task`);
          }
          switch (await store.requestCancel(input.task, context.clock.now())) {
            case 'requested':
              runner.abort(input.task);
              return;
            case 'missing':
              throw taskNotFound(input.task);
            case 'not_cancelable':
              throw new VapiError('UNSUPPORTED', [
                message('com.vmware.cis.tasks.cancel.not_cancelable', `Task ${input.task} cannot be canceled.`, [input.task]),
              ]);
            case 'finished':
            case 'already_requested':
              throw new VapiError('NOT_ALLOWED_IN_CURRENT_STATE', [
                message(
                  'com.vmware.cis.tasks.cancel.not_allowed',
                  `Task ${input.task} has finished or is being canceled already.`,
                  [input.task],
                ),
              ]);
          }
        },
      },
    ],
  };
}
