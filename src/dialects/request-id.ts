import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Longest operation id a client may choose; ids are logged and recorded with each privilege check. */
const MAX_LENGTH = 128;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** A client-chosen operation id when it is short printable ASCII; otherwise undefined. */
export function acceptableRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_LENGTH && PRINTABLE.test(value) ? value : undefined;
}

/**
 * The id of a request: the client's `vmware-api-operation-id` or `X-Request-ID` (as vCenter and
 * the SDKs send them), or a fresh UUID when neither is usable.
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  return acceptableRequestId(headers['vmware-api-operation-id']) ?? acceptableRequestId(headers['x-request-id']) ?? randomUUID();
}
