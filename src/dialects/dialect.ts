import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OperationTable } from '../core/operation-table.js';
import type { VapiError } from '../core/errors.js';
import type { Engine } from '../engine/invoke.js';

/** What a dialect gets to build its routes from. */
export interface DialectContext {
  table: OperationTable;
  engine: Engine;
}

/**
 * A wire dialect: a thin adapter from HTTP to the engine. The server asks each dialect, in
 * order, whether it owns a request, to render the errors raised before any route ran (body
 * parsing, size, media type) and the answer for a path no route matches.
 */
export interface Dialect {
  readonly name: string;
  /** Whether a request with this method and path (no query) is this dialect's. */
  owns(method: string, path: string): boolean;
  register(app: FastifyInstance, context: DialectContext): void;
  /** Sends `error`; `status` overrides the error table's status (413, 415). */
  sendError(reply: FastifyReply, error: VapiError, status?: number): FastifyReply;
  /** Sends the dialect's answer for an unknown path or method. */
  sendNotFound(reply: FastifyReply): FastifyReply;
}
