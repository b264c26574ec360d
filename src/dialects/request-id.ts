import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Longest operation id a client may choose; ids are logged and recorded with each privilege check. */
const MAX_LENGTH = 128;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** A client-chosen operation id when it is short printable ASCII; otherwise undefined. */
export function acceptableRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_LENGTH && PRINTABLE.test(value) ? value : undefined;
}

/** Names the requests of this process: random per process, so that ids of several workers and nodes do not meet. */
const PROCESS_PREFIX = randomBytes(6).toString('hex');
let counter = 0;

/**
 * The id of a request: the client's `vmware-api-operation-id` or `X-Request-ID` (as vCenter and
 * the SDKs send them), or one of this process's own (a counter: a UUID per request costs more).
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  return (
    acceptableRequestId(headers['vmware-api-operation-id']) ??
    acceptableRequestId(headers['x-request-id']) ??
    `${PROCESS_PREFIX}-${(++counter).toString(36)}`
  );
}
