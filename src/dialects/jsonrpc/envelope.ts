import { jsonNestingExceeds } from '../../core/json-nesting.js';
import type { IncomingHttpHeaders } from 'node:http';
import { isPlainObject } from '../../core/plain-json.js';

/** JSON-RPC error codes the vAPI runtime uses (jsonrpc.md §6). */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  operationMismatch: -31001,
} as const;

/**
 * A request that is not a vAPI invocation at all, answered with a top-level JSON-RPC `error`.
 * `id` is null for parse errors and invalid requests, as the SDK requires.
 */
export class JsonRpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly id: string | null,
  ) {
    super(message);
    this.name = 'JsonRpcFailure';
  }
}

/** A well-formed `invoke` request. */
export interface Envelope {
  id: string;
  serviceId: string;
  operationId: string;
  /** The DataValue of `params.input`; absent means an empty `operation-input`. */
  input: unknown;
  /** `ctx.appCtx` with the `vapi-ctx-*` headers merged in (the headers win). */
  appCtx: Record<string, string>;
  securityCtx: unknown;  /** The whole request as parsed, which a holder-of-key signature covers. */
  request: Record<string, unknown>;
}

const APP_CTX_HEADER = 'vapi-ctx-';

function applicationContext(ctx: Record<string, unknown>, headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(ctx.appCtx)) {
    for (const [key, value] of Object.entries(ctx.appCtx)) if (typeof value === 'string') out[key] = value;
  }
  // The header names are lower-cased on the wire; `opId` is the one key the SDK sends.
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(APP_CTX_HEADER) || typeof value !== 'string') continue;
    const key = name.slice(APP_CTX_HEADER.length);
    out[key === 'opid' ? 'opId' : key] = value;
  }
  return out;
}

/** The header, when present, must name what the body names (the runtime's -31001 check). */
function checkHeader(headers: IncomingHttpHeaders, name: string, expected: string, id: string): void {
  const value = headers[name];
  if (value !== undefined && value !== expected) {
    throw new JsonRpcFailure(RPC.operationMismatch, `Header ${name} does not match the request body.`, id);
  }
}

/** Parses and checks the JSON-RPC envelope; throws JsonRpcFailure for anything that is not an `invoke`. */
export function parseEnvelope(body: string, headers: IncomingHttpHeaders): Envelope {
  let request: unknown;
  try {
    if (jsonNestingExceeds(body)) throw new SyntaxError('nested too deeply');
    request = JSON.parse(body);
  } catch {
    throw new JsonRpcFailure(RPC.parseError, 'Parse error.', null);
  }
  if (!isPlainObject(request) || request.jsonrpc !== '2.0' || typeof request.id !== 'string') {
    throw new JsonRpcFailure(RPC.invalidRequest, 'Invalid request.', null);
  }
  const { id, method, params } = request;
  if (method !== 'invoke') throw new JsonRpcFailure(RPC.methodNotFound, 'Method not found.', id);
  if (
    !isPlainObject(params) ||
    typeof params.serviceId !== 'string' ||
    typeof params.operationId !== 'string' ||
    (params.ctx !== undefined && !isPlainObject(params.ctx))
  ) {
    throw new JsonRpcFailure(RPC.invalidParams, 'Invalid params.', id);
  }
  checkHeader(headers, 'vapi-service', params.serviceId, id);
  checkHeader(headers, 'vapi-operation', params.operationId, id);
  const ctx = isPlainObject(params.ctx) ? params.ctx : {};
  return {
    id,
    serviceId: params.serviceId,
    operationId: params.operationId,
    input: params.input,
    appCtx: applicationContext(ctx, headers),
    securityCtx: ctx.securityCtx,
    request,
  };
}
