import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

/** Who asked, where: what every audit event of a request carries. */
export interface RequestContext {
  /** The client's address: the socket's, or X-Forwarded-For's when the socket is a trusted proxy. */
  client: string;
  requestId: string;
  dialect: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the dialect that owns the request, set as it arrives. */
    dialect: string;
  }
}

const storage = new AsyncLocalStorage<RequestContext>();
/** Requests running in a context now. */
let running = 0;

/**
 * Runs a request's handling with its context, so that the parts deep below it (the password check,
 * the lockout) can name the request in audit events without every signature carrying it. On Node 20
 * a context that is in use slows every promise of the process (async hooks), so the storage is
 * turned off again whenever no request runs in it.
 */
export async function withRequestContext<T>(request: FastifyRequest, work: () => T | Promise<T>): Promise<T> {
  running++;
  try {
    return await storage.run({ client: request.ip, requestId: String(request.id), dialect: request.dialect }, work);
  } finally {
    if (--running === 0) storage.disable();
  }
}

/** The context of the request being handled; undefined outside one (the CLI, timers). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
