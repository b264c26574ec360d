import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES, type SchemeId } from '../src/core/schemes.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { accessToken } from './helpers/omivv.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

const META = '/api/vapi/metadata/authentication';
let t: TestServer;
let headers: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer(new MemoryStore(), { jwt: true, services: [jobsService(new Steps())], tasks: { shutdownGraceMs: 10 } });
  headers = { 'vmware-api-session-id': (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string };
});
afterAll(async () => t.close());

type Info = { schemes: { scheme: SchemeId }[] };

async function read<T>(path: string): Promise<T | undefined> {
  const response = await http(`${t.url}${META}${path}`, { headers });
  if (response.status === 404) return undefined;
  expect(response.status, path).toBe(200);
  return response.json as T;
}

/** The schemes a client computes from the metadata: operation's, else service's, else the longest covering package's. */
async function publishedSchemes(serviceId: string, operationId: string): Promise<SchemeId[]> {
  const operation = await read<Info>(`/service/${serviceId}/operation/${operationId}`);
  if (operation) return operation.schemes.map((s) => s.scheme);
  const service = await read<Info>(`/service/${serviceId}`);
  if (service && service.schemes.length > 0) return service.schemes.map((s) => s.scheme);
  const packages = (await read<string[]>('/package'))!;
  const pkg = serviceId.slice(0, serviceId.lastIndexOf('.'));
  const covering = packages.filter((id) => pkg === id || pkg.startsWith(`${id}.`)).sort((a, b) => b.length - a.length)[0];
  return covering ? (await read<Info>(`/package/${covering}`))!.schemes.map((s) => s.scheme) : [];
}

/** A fresh, valid credential of each kind this server can check. */
async function credentialOf(scheme: SchemeId): Promise<Record<string, string>> {
  switch (scheme) {
    case SCHEMES.userPass:
      return { schemeId: scheme, userName: ADMIN, password: ADMIN_PASSWORD };
    case SCHEMES.sessionId:
      return { schemeId: scheme, sessionId: (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string };
    default:
      return { schemeId: scheme, accessToken: await accessToken(t.url, 'administrator', ADMIN_PASSWORD) };
  }
}

/** Whether the server lets the call past authentication (any answer but UNAUTHENTICATED). */
async function accepts(serviceId: string, operationId: string, scheme: SchemeId): Promise<boolean> {
  const body = {
    jsonrpc: '2.0',
    method: 'invoke',
    id: '1',
    params: { serviceId, operationId, input: { STRUCTURE: { 'operation-input': {} } }, ctx: { appCtx: {}, securityCtx: await credentialOf(scheme) } },
  };
  const response = await http(`${t.url}/api`, { method: 'POST', body });
  const error = (response.json as { result?: { error?: { ERROR: Record<string, unknown> } } }).result?.error?.ERROR;
  return !error || !Object.keys(error)[0]!.endsWith('.unauthenticated');
}

describe('enforcement and metadata', () => {
  it('agree for every operation: the schemes accepted are exactly the schemes published', async () => {
    const probed: SchemeId[] = [SCHEMES.userPass, SCHEMES.sessionId, SCHEMES.oauth];
    const operations = t.server.table.operations();
    expect(operations.length).toBeGreaterThan(15);
    for (const { service, operation } of operations) {
      const operationId = operation.task === 'task_only' ? `${operation.id}$task` : operation.id;
      const published = await publishedSchemes(service.id, operation.id);
      const accepted: SchemeId[] = [];
      for (const scheme of probed) if (await accepts(service.id, operationId, scheme)) accepted.push(scheme);
      expect(accepted.sort(), `${service.id}.${operation.id}`).toEqual(published.filter((s) => probed.includes(s)).sort());
      expect(published.every((s) => probed.includes(s)), `${service.id}.${operation.id} publishes a scheme the server cannot check`).toBe(true);
    }
  });
});
