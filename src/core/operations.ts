import type { ErrorType, StatusOverrides } from './errors.js';
import type { Clock } from './clock.js';
import type { Principal } from './principal.js';
import type { SchemeId } from './schemes.js';
import type { StructType, VType } from './types.js';

/** What a handler gets besides its input. */
export interface OperationContext {
  principal: Principal;
  clock: Clock;
  /** Id of the request, for logs. */
  requestId: string;
}

/** How an operation is reached in the `/api` dialect. */
export interface ApiBinding {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below `/api`, with `{param}` placeholders naming input fields. */
  path: string;
  /** `?action=` value that selects this operation among those sharing method and path. */
  action?: string;
  /** Success status (200 unless said). */
  status?: number;
}

export interface OperationDefinition<Input = Record<string, unknown>, Output = unknown> {
  /** Operation id within its service, e.g. `create`. */
  id: string;
  input: StructType;
  output: VType;
  /** The standard errors the operation reports, beyond those of the infrastructure. */
  errors: readonly ErrorType[];
  /** Status pins that win over the error table in `/api` (errors.md §3). */
  statusOverrides?: StatusOverrides;
  /** Explicit schemes; when absent the service's, then the package's apply. */
  schemes?: readonly SchemeId[];
  api?: ApiBinding;
  handler(input: Input, context: OperationContext): Promise<Output>;
}

export interface ServiceDefinition {
  /** Service id, e.g. `com.vmware.cis.session`. */
  id: string;
  /** Explicit schemes for every operation that declares none. */
  schemes?: readonly SchemeId[];
  // Handlers differ in input and output types; the table treats them uniformly.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  operations: readonly OperationDefinition<any, any>[];
}

/** An operation together with the service it belongs to and its effective schemes. */
export interface ResolvedOperation {
  service: ServiceDefinition;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  operation: OperationDefinition<any, any>;
  /** The schemes enforced: operation's, else service's, else the longest matching package's. */
  schemes: readonly SchemeId[];
}
