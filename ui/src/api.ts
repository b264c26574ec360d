/**
 * Requests of the console: the operations of the `/api` dialect under `/ui/api`, where the server
 * takes the console's HttpOnly session cookie as the session. Each request carries the CSRF token
 * the server handed to this page; the session id itself is never visible here.
 */

/** A vAPI standard error as the `/api` dialect sends it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    text: string,
  ) {
    super(text);
  }
}

export const CSRF_HEADER = 'x-vapi-console-csrf';
/** Dispatched on `window` when a request finds the session gone (ended, expired): the console shows the login again. */
export const LOGGED_OUT = 'vapi-console-logged-out';
let csrf: Promise<string> | undefined;

/** The CSRF token of this browser, fetched once per page load. */
export function csrfToken(): Promise<string> {
  csrf ??= fetch('/ui/csrf', { credentials: 'same-origin' })
    .then((response) => response.json() as Promise<{ token: string }>)
    .then((body) => body.token);
  return csrf;
}

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error_type?: string; messages?: { default_message?: string }[] };
    return new ApiError(response.status, body.error_type ?? 'ERROR', body.messages?.[0]?.default_message ?? response.statusText);
  } catch {
    return new ApiError(response.status, 'ERROR', response.statusText);
  }
}

/** Sends a console request; answers the parsed body (undefined when empty) or throws ApiError. */
export async function request<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { [CSRF_HEADER]: await csrfToken(), ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (response.status === 401) dispatchEvent(new Event(LOGGED_OUT));
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** An operation of the `/api` dialect, by its `/api` path (`/vapi-auth/users`). */
export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, `/ui/api${path}`, body === undefined ? {} : { body });
}

/** UTF-8, then base64: what `Authorization: Basic` carries. */
function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Logs in: `com.vmware.cis.session.create`; the server keeps the new session in the cookie. */
export function login(user: string, password: string): Promise<void> {
  return request<void>('POST', '/ui/api/session', { headers: { authorization: basic(user, password) } });
}

export function logout(): Promise<void> {
  return api<void>('DELETE', '/session');
}

export interface Me {
  user: string;
  privileges: string[];
}

export function whoami(): Promise<Me> {
  return request<Me>('GET', '/ui/whoami');
}

/** `name@DOMAIN` of a path segment, encoded. */
export const segment = encodeURIComponent;
