import { notFound, VapiError } from '../core/errors.js';
import { message } from '../core/messages.js';

export function taskNotFound(id: string): VapiError {
  return notFound('com.vmware.cis.tasks.not_found', `Task ${id} was not found.`, [id]);
}

/** The error of a task whose cancel request was honoured. */
export function taskCanceled(): VapiError {
  return new VapiError('CANCELED', [message('com.vmware.cis.tasks.canceled', 'The operation was canceled on request.')]);
}

/** The error of a task whose server stopped (or died) while it ran. */
export function serverRestarted(): VapiError {
  return new VapiError('ERROR', [
    message('com.vmware.cis.tasks.server_restarted', 'The server stopped while the task was running; it did not finish.'),
  ]);
}
