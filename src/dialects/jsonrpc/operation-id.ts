import { operationNotFound } from '../../core/errors.js';
import type { ResolvedOperation } from '../../core/operations.js';
import type { OperationTable } from '../../core/operation-table.js';
import type { InvocationForm } from '../../engine/invocation.js';

/** `scan$task` invokes `scan` as a task (jsonrpc.md §2). */
const TASK_SUFFIX = '$task';

/** The operation a `serviceId`/`operationId` pair names, and the form it asks for (the engine checks the operation has it). */
export function resolveOperation(
  table: OperationTable,
  serviceId: string,
  operationId: string,
): { target: ResolvedOperation; form: InvocationForm } {
  const asTask = operationId.endsWith(TASK_SUFFIX);
  const target = table.lookup(serviceId, asTask ? operationId.slice(0, -TASK_SUFFIX.length) : operationId);
  if (!target) throw operationNotFound(serviceId, operationId);
  return { target, form: asTask ? 'task' : 'inline' };
}
