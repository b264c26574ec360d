import { http, type HttpResponse } from './http.js';

/** What a dialect answered, reduced to what every dialect shares. */
export type Outcome =
  | { ok: true; value: unknown; response: HttpResponse }
  | { ok: false; errorType: string; error: Record<string, unknown>; response: HttpResponse };

/** Credentials in a dialect-neutral form; each client puts them where its dialect expects them. */
export type Credentials = { userName: string; password: string } | { sessionId: string } | Record<string, never>;

/**
 * `com.vmware.cis.session` as one dialect speaks it. The session suite runs once per client, so
 * every behaviour is proven in every dialect.
 */
export interface SessionDialectClient {
  name: string;
  create(baseUrl: string, credentials: Credentials): Promise<Outcome>;
  get(baseUrl: string, credentials: Credentials): Promise<Outcome>;
  delete(baseUrl: string, credentials: Credentials): Promise<Outcome>;
}

function restHeaders(credentials: Credentials): Record<string, string> {
  if ('userName' in credentials) {
    const encoded = Buffer.from(`${credentials.userName}:${credentials.password}`, 'utf8').toString('base64');
    return { authorization: `Basic ${encoded}` };
  }
  if ('sessionId' in credentials) return { 'vmware-api-session-id': credentials.sessionId };
  return {};
}

function apiOutcome(response: HttpResponse, successStatus: number): Outcome {
  if (response.status === successStatus) return { ok: true, value: response.json, response };
  const error = (response.json ?? {}) as Record<string, unknown>;
  return { ok: false, errorType: String(error.error_type), error, response };
}

export const apiDialect: SessionDialectClient = {
  name: '/api',
  async create(baseUrl, credentials) {
    return apiOutcome(await http(`${baseUrl}/api/session`, { method: 'POST', headers: restHeaders(credentials) }), 201);
  },
  async get(baseUrl, credentials) {
    return apiOutcome(await http(`${baseUrl}/api/session`, { headers: restHeaders(credentials) }), 200);
  },
  async delete(baseUrl, credentials) {
    return apiOutcome(await http(`${baseUrl}/api/session`, { method: 'DELETE', headers: restHeaders(credentials) }), 204);
  },
};

/** `params.ctx.securityCtx` for the credentials; no key at all when there are none, as the SDK sends it. */
export function securityCtx(credentials: Credentials): Record<string, unknown> | undefined {
  if ('userName' in credentials) return { schemeId: 'com.vmware.vapi.std.security.user_pass', ...credentials };
  if ('sessionId' in credentials) return { schemeId: 'com.vmware.vapi.std.security.session_id', ...credentials };
  return undefined;
}

/** The request body the Python SDK sends for an operation without parameters. */
export function invokeBody(serviceId: string, operationId: string, credentials: Credentials, input: unknown = { STRUCTURE: { 'operation-input': {} } }) {
  const security = securityCtx(credentials);
  const ctx = { appCtx: { opId: '5d3e2f6a-0000-4000-8000-000000000000' }, ...(security ? { securityCtx: security } : {}) };
  return { jsonrpc: '2.0', method: 'invoke', params: { serviceId, operationId, input, ctx }, id: '0' };
}

/**
 * A DataValue read without its type, as a test sees it: tags dropped, structures as objects.
 * Written apart from the server's codec so that the suite does not check the codec with itself.
 */
export function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (typeof value !== 'object' || value === null) return value;
  const [tag, content] = Object.entries(value)[0] ?? [];
  if (tag === 'SECRET' || tag === 'BINARY') return content;
  if (tag === 'OPTIONAL') return content === null ? undefined : untag(content);
  if (tag === 'STRUCTURE' || tag === 'ERROR') {
    const fields = Object.values(content as Record<string, Record<string, unknown>>)[0]!;
    return Object.fromEntries(Object.entries(fields).map(([key, item]) => [key, untag(item)]).filter(([, item]) => item !== undefined));
  }
  throw new Error(`not a DataValue: ${JSON.stringify(value)}`);
}

/** `POST /api` with a JSON-RPC `invoke` of `com.vmware.cis.session`; the answer is HTTP 200 either way. */
async function invokeSession(baseUrl: string, operationId: string, credentials: Credentials): Promise<Outcome> {
  const response = await http(`${baseUrl}/api`, {
    method: 'POST',
    headers: { 'vapi-service': 'com.vmware.cis.session', 'vapi-operation': operationId },
    body: invokeBody('com.vmware.cis.session', operationId, credentials),
  });
  const { result } = (response.json ?? {}) as { result?: { output?: unknown; error?: unknown } };
  if (response.status === 200 && result && 'output' in result) return { ok: true, value: untag(result.output), response };
  const error = (untag(result?.error ?? null) ?? {}) as Record<string, unknown>;
  return { ok: false, errorType: String(error.error_type), error, response };
}

export const jsonRpcDialect: SessionDialectClient = {
  name: 'JSON-RPC',
  create: (baseUrl, credentials) => invokeSession(baseUrl, 'create', credentials),
  get: (baseUrl, credentials) => invokeSession(baseUrl, 'get', credentials),
  delete: (baseUrl, credentials) => invokeSession(baseUrl, 'delete', credentials),
};

/** The legacy form: `{"value": …}` on success, `{"type", "value": <error>}` on failure. */
function restOutcome(response: HttpResponse): Outcome {
  const body = (response.json ?? {}) as { type?: string; value?: Record<string, unknown> };
  if (response.status === 200) return { ok: true, value: body.value, response };
  const error = body.value ?? {};
  return { ok: false, errorType: String(error.error_type), error, response };
}

const SESSION_PATH = '/rest/com/vmware/cis/session';

/** Header-only authentication, as scripts use it; the cookie rules have tests of their own. */
export const restDialect: SessionDialectClient = {
  name: '/rest',
  async create(baseUrl, credentials) {
    const headers = { ...restHeaders(credentials), 'vmware-use-header-authn': 'true' };
    return restOutcome(await http(`${baseUrl}${SESSION_PATH}`, { method: 'POST', headers }));
  },
  async get(baseUrl, credentials) {
    return restOutcome(await http(`${baseUrl}${SESSION_PATH}?~action=get`, { method: 'POST', headers: restHeaders(credentials) }));
  },
  async delete(baseUrl, credentials) {
    return restOutcome(await http(`${baseUrl}${SESSION_PATH}`, { method: 'DELETE', headers: restHeaders(credentials) }));
  },
};

/** Every dialect that serves sessions. */
export const sessionDialects: SessionDialectClient[] = [apiDialect, restDialect, jsonRpcDialect];
