import { http, type HttpResponse } from './http.js';

export const OMIVV = '/Spectre/api/rest/v1/Services/AuthenticationService';

export function omivvLogin(baseUrl: string, username: string, password: string, domain = '', localAddress?: string): Promise<HttpResponse> {
  return http(`${baseUrl}${OMIVV}/login`, { method: 'POST', body: { apiUserCredential: { username, domain, password } }, ...(localAddress ? { localAddress } : {}) });
}

export async function accessToken(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await omivvLogin(baseUrl, username, password);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return (response.json as { accessToken: string }).accessToken;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A vAPI operation that takes a bearer token (com.vmware.cis defaults): listing tasks. */
export function callWithBearer(baseUrl: string, token: string): Promise<HttpResponse> {
  return http(`${baseUrl}/api/cis/tasks?services=com.example.none`, { headers: bearer(token) });
}

export function logoff(baseUrl: string, token: string, path = 'logoff'): Promise<HttpResponse> {
  return http(`${baseUrl}${OMIVV}/${path}`, { method: 'POST', headers: bearer(token) });
}
