import type { Dialect } from '../dialect.js';
import { httpNotFound, sendApiError } from './errors.js';
import { API_PREFIX, registerApiDialect } from './routes.js';

/** The `/api` REST dialect (vSphere 7.0U2+). */
export const apiDialect: Dialect = {
  name: 'api',
  owns: (_method, path) => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`),
  register: (app, { table, engine }) => registerApiDialect(app, table, engine),
  sendError: (reply, error, status) =>
    sendApiError(reply, error, status === undefined ? undefined : { [error.errorType]: status }),
  sendNotFound: (reply) => sendApiError(reply, httpNotFound()),
};
