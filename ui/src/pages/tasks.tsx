import { api, segment } from '../api.js';
import { useAccess } from '../access.js';
import { Alert, time, useAction, usePolling, Table } from '../util.js';

interface Message {
  id: string;
  default_message: string;
}
interface TaskInfo {
  description: Message;
  service: string;
  operation: string;
  status: 'PENDING' | 'RUNNING' | 'BLOCKED' | 'SUCCEEDED' | 'FAILED';
  cancelable: boolean;
  start_time?: string;
  end_time?: string;
  user?: string;
  target?: { type: string; id: string };
  progress?: { total: number; completed: number; message: Message };
  error?: { error_type?: string; messages?: Message[] };
}

const ACTIVE = new Set(['PENDING', 'RUNNING', 'BLOCKED']);

/** Running and recent tasks (`com.vmware.cis.tasks.list`), read again every second. */
export function TasksPage() {
  const access = useAccess();
  // The list names the services it asks about (vSphere requires tasks or services): every one with a task form.
  const tasks = usePolling(
    async (): Promise<Record<string, TaskInfo>> =>
      access.taskServices.length === 0
        ? {}
        : api<Record<string, TaskInfo>>('POST', '/cis/tasks?action=list', {
            filter_spec: { services: access.taskServices },
            result_spec: { return_all: true, exclude_result: true },
          }),
    1000,
  );
  const action = useAction();
  // Another user's task takes Global.CancelTask, checked by the operation at run time.
  const mayCancel = (task: TaskInfo) => task.user?.toLowerCase() === access.me.user.toLowerCase() || access.holds('Global.CancelTask');
  const rows = Object.entries(tasks.data ?? {}).sort(([, a], [, b]) => (b.start_time ?? '').localeCompare(a.start_time ?? ''));
  return (
    <section>
      <Alert text={tasks.error ?? action.error} />
      <Table headers={['Task', 'User', 'Status', 'Progress', 'Started', 'Ended', '']}>
          {rows.map(([id, task]) => {
            const percent = task.progress && task.progress.total > 0 ? Math.round((100 * task.progress.completed) / task.progress.total) : task.status === 'SUCCEEDED' ? 100 : 0;
            return (
              <tr key={id} data-task={id}>
                <td>
                  {task.description.default_message}
                  <div class="sub">
                    {task.service}.{task.operation}
                    {task.target ? ` on ${task.target.type} ${task.target.id}` : ''}
                  </div>
                </td>
                <td>{task.user ?? '—'}</td>
                <td class={`status ${task.status.toLowerCase()}`}>
                  {task.status}
                  {task.error?.messages?.[0] ? <div class="sub">{task.error.messages[0].default_message}</div> : null}
                </td>
                <td>
                  <progress max={100} value={percent} aria-label={`Progress of ${task.description.default_message}`} />
                  <div class="sub">{task.progress?.message.default_message ?? ''}</div>
                </td>
                <td>{time(task.start_time)}</td>
                <td>{time(task.end_time)}</td>
                <td>
                  {ACTIVE.has(task.status) && task.cancelable && mayCancel(task) ? (
                    <button type="button" onClick={() => action.run(() => api('POST', `/cis/tasks/${segment(id)}?action=cancel`), tasks.reload)}>
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </Table>
      {rows.length === 0 && tasks.data ? <p>No tasks in the last day.</p> : null}
    </section>
  );
}
