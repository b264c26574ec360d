import type { TaskFilter, TaskRecord, TaskStatus } from './store.js';

/** Unfinished statuses: the task may still change. */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['PENDING', 'RUNNING', 'BLOCKED'];

function allows<T>(values: readonly T[] | undefined, value: T): boolean {
  return values === undefined || values.length === 0 || values.includes(value);
}

/** Whether `task` matches every field of `filter` (the FilterSpec rule). */
export function matchesTaskFilter(task: TaskRecord, filter: TaskFilter): boolean {
  return (
    allows(filter.ids, task.id) &&
    allows(filter.services, task.service) &&
    allows(filter.operations, task.operation) &&
    allows(filter.statuses, task.status) &&
    allows(filter.userKeys, task.userKey) &&
    (filter.targets === undefined ||
      filter.targets.length === 0 ||
      filter.targets.some((target) => task.target?.type === target.type && task.target.id === target.id))
  );
}

export function isLive(task: TaskRecord, now: number): boolean {
  return task.expiresAt === undefined || task.expiresAt > now;
}
