import { decodePlain } from '../core/plain-json.js';
import { dynamicIdType, localizableMessageType, t, TypedValue, type VType } from '../core/types.js';
import { TASK_STATUSES, type TaskRecord } from '../store/store.js';

export const taskStatusType = t.enumeration('com.vmware.cis.task.status', TASK_STATUSES);

export const taskProgressType = t.struct('com.vmware.cis.task.progress', {
  total: t.long,
  completed: t.long,
  message: localizableMessageType,
});

/** `com.vmware.cis.task.info`: no id field (the id is the map key or the path), no subtasks. */
export const taskInfoType = t.struct('com.vmware.cis.task.info', {
  description: localizableMessageType,
  service: t.id('com.vmware.vapi.service'),
  operation: t.id('com.vmware.vapi.operation'),
  parent: t.optional(t.id('com.vmware.cis.task')),
  target: t.optional(dynamicIdType),
  status: taskStatusType,
  cancelable: t.boolean,
  error: t.optional(t.error),
  start_time: t.optional(t.datetime),
  end_time: t.optional(t.datetime),
  user: t.optional(t.string),
  progress: t.optional(taskProgressType),
  result: t.optional(t.opaque),
});

const STARTED = new Set(['RUNNING', 'BLOCKED', 'SUCCEEDED', 'FAILED']);
const ENDED = new Set(['SUCCEEDED', 'FAILED']);

/**
 * A task record as `Info`, with exactly the fields its status allows (SDK union validators);
 * the result typed with the operation's output type, so each dialect encodes it its own way.
 */
export function taskInfo(task: TaskRecord, outputType: VType | undefined, excludeResult: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    description: task.description,
    service: task.service,
    operation: task.operation,
    status: task.status,
    cancelable: task.cancelable && !ENDED.has(task.status),
    user: task.user,
  };
  if (task.target) info.target = task.target;
  if (STARTED.has(task.status)) {
    info.start_time = new Date(task.startTime!);
    info.progress = task.progress;
  }
  if (ENDED.has(task.status)) info.end_time = new Date(task.endTime!);
  if (task.status === 'FAILED' && task.error) info.error = decodePlain(t.error, task.error, 'error', 'object');
  if (!excludeResult && task.result !== undefined) {
    info.result = outputType ? new TypedValue(outputType, decodePlain(outputType, task.result, 'result', 'object')) : task.result;
  }
  return info;
}
