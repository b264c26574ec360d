import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TrustedProxies } from './trusted-proxies.js';

export interface ConnectionPolicy {
  /** Time to receive a request's headers (Node's `headersTimeout`); the connection gets 408 and is closed. */
  headersTimeoutMs: number;
  /** Longest silence while a request body is arriving; the connection is closed. */
  bodyTimeoutMs: number;
  /** Time to receive a whole request, headers and body (Node's `requestTimeout`); 408 and closed. */
  requestTimeoutMs: number;
  /** Open connections in total; more are closed as they arrive. 0 = no limit. */
  maxConnections: number;
  /** Open connections from one client address; more are closed as they arrive. 0 = no limit. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_POLICY: ConnectionPolicy = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 1000,
  maxConnectionsPerClient: 100,
};

/**
 * How often Node looks for requests past their headers or request timeout. Its default, 30 s, would
 * let a stalled request live up to 30 s past its timeout.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Whether the request announces a body: a length above zero, or a chunked one. */
function announcesBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0');
}

/**
 * Closes each connection beyond `max` from the same client address as it arrives. A trusted proxy's
 * connections carry many clients, and which ones is known only per request: they are not capped.
 */
function capPerClient(server: Server, max: number, proxies: TrustedProxies): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return socket.destroy();
    if (proxies.trusts(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) return socket.destroy();
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * Bounds what one client can hold: each request must arrive within its timeouts, a body may not
 * stall, and connections are capped in total and per client address. Without these, silent
 * half-sent requests keep their sockets (and file descriptors) forever. Call before `listen`.
 */
export function limitConnections(app: FastifyInstance, policy: ConnectionPolicy, proxies: TrustedProxies): void {
  // `connectionsCheckingInterval` is a Node property (read when listening) its types leave out.
  const server = app.server as Server & { connectionsCheckingInterval: number };
  server.headersTimeout = policy.headersTimeoutMs;
  server.requestTimeout = policy.requestTimeoutMs;
  server.connectionsCheckingInterval = TIMEOUT_CHECK_INTERVAL_MS;
  if (policy.maxConnections > 0) server.maxConnections = policy.maxConnections;
  if (policy.maxConnectionsPerClient > 0) capPerClient(server, policy.maxConnectionsPerClient, proxies);
  // A socket silent for its timeout is destroyed by Node's HTTP server (no listener of ours needed);
  // the timeout is on only while a body is being read, so a long-running handler is not cut.
  app.addHook('onRequest', (request, _reply, done) => {
    if (announcesBody(request.headers)) request.raw.socket.setTimeout(policy.bodyTimeoutMs);
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (announcesBody(request.headers)) request.raw.socket.setTimeout(0);
    done();
  });
}
