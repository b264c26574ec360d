import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http, type HttpRequestOptions } from './helpers/http.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

// The paths below are written out as metadata-authentication.md §2 lists them, not derived from the
// server's bindings, so that a change in the adapters' rules cannot move them unnoticed.
const API = '/api/vapi/metadata/authentication';
const REST = '/rest/com/vmware/vapi/metadata/authentication';

let t: TestServer;
let session: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer(new MemoryStore());
  const created = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
  session = { 'vmware-api-session-id': created.json as string };
});
afterAll(async () => t.close());

const call = (path: string, options: HttpRequestOptions = {}) => http(`${t.url}${path}`, { ...options, headers: { ...session, ...options.headers } });

const SESSION_ID = { scheme_type: 'SESSION_AWARE', session_manager: 'com.vmware.cis.session', scheme: 'com.vmware.vapi.std.security.session_id' };
const USER_PASS = { scheme_type: 'SESSIONLESS', scheme: 'com.vmware.vapi.std.security.user_pass' };

describe('package get, as seed 004 shows it', () => {
  it('answers /rest …/package/id:com.vmware.cis with {"value": package_info}, maps as key/value lists', async () => {
    const response = await call(`${REST}/package/id:com.vmware.cis`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json).toEqual({
      value: {
        schemes: [SESSION_ID],
        services: [{ key: 'com.vmware.cis.session', value: { schemes: [SESSION_ID], operations: [{ key: 'create', value: { schemes: [USER_PASS] } }] } }],
      },
    });
  });

  it('answers /api …/package/com.vmware.cis with the same data bare, maps as objects', async () => {
    const response = await call(`${API}/package/com.vmware.cis`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      schemes: [SESSION_ID],
      services: { 'com.vmware.cis.session': { schemes: [SESSION_ID], operations: { create: { schemes: [USER_PASS] } } } },
    });
  });
});

describe('every path of metadata-authentication.md §2', () => {
  const operationGet = { method: 'POST', body: { operation_id: 'create' } };
  const paths: [string, string, string, HttpRequestOptions?][] = [
    ['component.list', `${API}/component`, `${REST}/component`],
    ['component.get', `${API}/component/com.vmware.vapi`, `${REST}/component/id:com.vmware.vapi`],
    ['component.fingerprint', `${API}/component/com.vmware.vapi/fingerprint`, `${REST}/component/id:com.vmware.vapi?~action=fingerprint`, { method: 'POST' }],
    ['package.list', `${API}/package`, `${REST}/package`],
    ['package.get', `${API}/package/com.vmware.vapi`, `${REST}/package/id:com.vmware.vapi`],
    ['service.list', `${API}/service`, `${REST}/service`],
    ['service.get', `${API}/service/com.vmware.cis.session`, `${REST}/service/id:com.vmware.cis.session`],
    ['operation.list', `${API}/service/com.vmware.cis.session/operation`, `${REST}/service/operation?service_id=com.vmware.cis.session`],
    ['operation.get', `${API}/service/com.vmware.cis.session/operation/create`, `${REST}/service/operation/id:com.vmware.cis.session?~action=get`, operationGet],
  ];

  it.each(paths)('%s answers 200 on both, /rest wrapping in {"value": …}', async (_name, api, rest, restOptions) => {
    const bare = await call(api);
    const wrapped = await call(rest, restOptions);
    expect(bare.status).toBe(200);
    expect(wrapped.status).toBe(200);
    expect(Object.keys(wrapped.json as object)).toEqual(['value']);
    const value = (wrapped.json as { value: unknown }).value;
    // Lists and strings are the same in both dialects; structures differ only in how maps are written.
    if (typeof bare.json !== 'object' || Array.isArray(bare.json)) expect(value).toEqual(bare.json);
  });

  it('lists what the table declares', async () => {
    expect((await call(`${API}/component`)).json).toEqual(['com.vmware.cis', 'com.vmware.vapi', 'com.vmware.vcenter', 'vapi_auth']);
    expect((await call(`${API}/package`)).json).toEqual(['com.vmware.cis', 'com.vmware.vapi', 'com.vmware.vcenter', 'vapi_auth']);
    expect((await call(`${API}/service`)).json).toEqual(['com.vmware.cis.session']);
    expect((await call(`${API}/service/com.vmware.cis.session/operation`)).json).toEqual(['create']);
  });

  it('gives the fingerprint that component get reports', async () => {
    const data = (await call(`${API}/component/com.vmware.cis`)).json as { fingerprint: string };
    expect((await call(`${API}/component/com.vmware.cis/fingerprint`)).json).toBe(data.fingerprint);
    expect((await call(`${REST}/component/id:com.vmware.cis?~action=fingerprint`, { method: 'POST' })).json).toEqual({ value: data.fingerprint });
  });

  it('names a session manager exactly for the SESSION_AWARE schemes', async () => {
    const infos: { scheme_type: string; session_manager?: string }[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === 'object') {
        if ('scheme_type' in value) infos.push(value as (typeof infos)[number]);
        else Object.values(value).forEach(collect);
      }
    };
    for (const component of (await call(`${API}/component`)).json as string[]) collect((await call(`${API}/component/${component}`)).json);
    expect(infos.length).toBeGreaterThan(3);
    for (const info of infos) expect('session_manager' in info, JSON.stringify(info)).toBe(info.scheme_type === 'SESSION_AWARE');
  });
});

describe('ids without authentication information (§6)', () => {
  const notFound = (kind: string, id: string) => ({
    error_type: 'NOT_FOUND',
    messages: [{ args: [id], default_message: `${kind} ${id} has no authentication information.`, id: 'com.vmware.vapi.metadata.authentication.not_found' }],
  });
  const cases: [string, string, HttpRequestOptions, ReturnType<typeof notFound>][] = [
    [`${API}/component/com.example`, `${REST}/component/id:com.example`, {}, notFound('Component', 'com.example')],
    [`${API}/component/com.example/fingerprint`, `${REST}/component/id:com.example?~action=fingerprint`, { method: 'POST' }, notFound('Component', 'com.example')],
    [`${API}/package/com.example.none`, `${REST}/package/id:com.example.none`, {}, notFound('Package', 'com.example.none')],
    // A package inside a declared one, but not declared itself.
    [`${API}/package/com.vmware.cis.tagging`, `${REST}/package/id:com.vmware.cis.tagging`, {}, notFound('Package', 'com.vmware.cis.tagging')],
    // A service that exists but declares nothing, and one that does not exist.
    [`${API}/service/com.vmware.cis.tasks`, `${REST}/service/id:com.vmware.cis.tasks`, {}, notFound('Service', 'com.vmware.cis.tasks')],
    [`${API}/service/com.example.none`, `${REST}/service/id:com.example.none`, {}, notFound('Service', 'com.example.none')],
    [`${API}/service/com.vmware.cis.tasks/operation`, `${REST}/service/operation?service_id=com.vmware.cis.tasks`, {}, notFound('Service', 'com.vmware.cis.tasks')],
  ];

  it.each(cases)('%s answers 404 NOT_FOUND, and so does its /rest form', async (api, rest, restOptions, body) => {
    const bare = await call(api);
    expect(bare.status).toBe(404);
    expect(bare.json).toEqual(body);
    const legacy = await call(rest, restOptions);
    expect(legacy.status).toBe(404);
    expect(legacy.json).toEqual({ type: 'com.vmware.vapi.std.errors.not_found', value: body });
  });

  it('answers 404 for operation get of an unknown service, an unknown operation, or one without explicit schemes', async () => {
    for (const [service, operation] of [['com.example.none', 'create'], ['com.vmware.cis.session', 'explode'], ['com.vmware.cis.session', 'get']]) {
      const bare = await call(`${API}/service/${service}/operation/${operation}`);
      expect(bare.status, `${service}.${operation}`).toBe(404);
      expect(bare.json).toMatchObject({ error_type: 'NOT_FOUND' });
      const legacy = await call(`${REST}/service/operation/id:${service}?~action=get`, { method: 'POST', body: { operation_id: operation } });
      expect(legacy.status, `${service}.${operation}`).toBe(404);
      expect(legacy.json).toMatchObject({ type: 'com.vmware.vapi.std.errors.not_found', value: { error_type: 'NOT_FOUND' } });
    }
  });

  it('refuses every path without a session, with 401 and the challenge', async () => {
    for (const path of [`${API}/package/com.vmware.cis`, `${REST}/package/id:com.vmware.cis`]) {
      const response = await http(`${t.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers['www-authenticate'], path).toBe('Basic realm="VAPI endpoint"');
    }
  });
});
