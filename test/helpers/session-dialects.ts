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

/** Every dialect that serves sessions. */
export const sessionDialects: SessionDialectClient[] = [apiDialect];
