import type { Dialect } from '../dialect.js';
import { JsonRpcFailure, RPC } from './envelope.js';
import { sendFailure } from './responses.js';
import { JSON_RPC_PATH, registerJsonRpc } from './routes.js';

/**
 * vAPI JSON-RPC 2.0, the protocol of the official SDKs: a `POST` to exactly `/api`. Errors
 * raised before the route runs (size, media type) are answered as JSON-RPC errors with id null,
 * keeping their HTTP status.
 */
export const jsonRpcDialect: Dialect = {
  name: 'jsonrpc',
  owns: (method, path) => method === 'POST' && path === JSON_RPC_PATH,
  register: (app, { table, engine }) => registerJsonRpc(app, table, engine),
  sendError: (reply, error, status) => {
    const code = error.errorType === 'INTERNAL_SERVER_ERROR' ? RPC.internalError : RPC.invalidRequest;
    return sendFailure(reply, new JsonRpcFailure(code, error.messages[0]?.default_message ?? 'Invalid request.', null), status);
  },
  sendNotFound: (reply) => sendFailure(reply, new JsonRpcFailure(RPC.invalidRequest, 'Invalid request.', null), 404),
};
