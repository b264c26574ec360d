import type { Dialect } from '../dialect.js';
import { sendRestError, sendRestNotFound } from './errors.js';
import { REST_PREFIX, registerRestDialect } from './routes.js';

/** The legacy `/rest` REST dialect (vSphere 6.5–7, deprecated but still used by many clients, govmomi among them). */
export const restDialect: Dialect = {
  name: 'rest',
  owns: (_method, path) => path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`),
  register: (app, { table, engine }) => registerRestDialect(app, table, engine),
  sendError: (reply, error, status) => sendRestError(reply, error, status),
  sendNotFound: (reply) => sendRestNotFound(reply),
};
