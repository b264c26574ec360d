import { operationNotFound } from '../../core/errors.js';
import type { ResolvedOperation } from '../../core/operations.js';
import type { OperationTable } from '../../core/operation-table.js';

/** `scan$task` invokes `scan` as a task (jsonrpc.md §2). */
const TASK_SUFFIX = '$task';

/**
 * The operation a `serviceId`/`operationId` pair names, and whether it runs as a task. An
 * operation without a task form has no `$task` id, and a task-only one has no plain id.
 */
export function resolveOperation(
  table: OperationTable,
  serviceId: string,
  operationId: string,
): { target: ResolvedOperation; asTask: boolean } {
  const asTask = operationId.endsWith(TASK_SUFFIX);
  const target = table.lookup(serviceId, asTask ? operationId.slice(0, -TASK_SUFFIX.length) : operationId);
  const taskType = target?.operation.task ?? 'none';
  if (!target || (asTask ? taskType === 'none' : taskType === 'task_only')) throw operationNotFound(serviceId, operationId);
  return { target, asTask };
}
