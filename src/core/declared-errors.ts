import { encodePlain, type MapStyle } from './plain-json.js';
import type { StructType } from './types.js';

/**
 * An error an operation declares beside the vAPI standard errors: a structure of its own, sent as it
 * is (e.g. OAuth 2.0's `com.vmware.oauth2.errors.invalid_grant`, RFC 6749 §5.2). Its structure's name
 * is the error's id, which `/rest` and JSON-RPC name it by.
 */
export interface DeclaredError {
  type: StructType;
  /** HTTP status in `/api` and `/rest`. */
  status: number;
}

/** A declared error on its way to a client: `value` (of the error's structure) is what it sees; `reason` goes to the log only. */
export class OperationError extends Error {
  constructor(
    readonly declared: DeclaredError,
    readonly value: Record<string, unknown>,
    readonly reason?: string,
  ) {
    super(declared.type.name);
    this.name = 'OperationError';
  }
}

/** A declared error's structure in plain JSON, as the REST dialects send it. */
export function declaredErrorBody(error: OperationError, maps: MapStyle): unknown {
  return encodePlain(error.declared.type, error.value, maps);
}
