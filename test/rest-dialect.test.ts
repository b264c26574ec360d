import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { selfSignedCertificate } from '../src/tls/self-signed.js';
import { basic, http } from './helpers/http.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

const SESSION = '/rest/com/vmware/cis/session';
let t: TestServer;
let steps: Steps;

beforeEach(async () => {
  steps = new Steps();
  t = await startTestServer(new MemoryStore(), { services: [jobsService(steps)], tasks: { shutdownGraceMs: 20 } });
});
afterEach(async () => t.close());

const login = async (headers: Record<string, string> = {}) =>
  http(`${t.url}${SESSION}`, { method: 'POST', headers: { ...basic(ADMIN, ADMIN_PASSWORD), ...headers } });

describe('the /rest session cookie', () => {
  it('is set by create (HttpOnly, SameSite=Strict, Path=/rest), and honoured on /rest only', async () => {
    const created = await login();
    const token = (created.json as { value: string }).value;
    expect(created.headers['set-cookie']).toEqual([`vmware-api-session-id=${token}; Path=/rest; HttpOnly; SameSite=Strict`]);
    const cookie = { cookie: `other=1; vmware-api-session-id=${token}` };
    expect((await http(`${t.url}${SESSION}?~action=get`, { method: 'POST', headers: cookie })).status).toBe(200);
    expect((await http(`${t.url}/api/session`, { headers: cookie })).status).toBe(401);
  });

  it('is not set when the client asks for header authentication', async () => {
    const created = await login({ 'vmware-use-header-authn': 'true' });
    expect(created.status).toBe(200);
    expect(created.headers['set-cookie']).toBeUndefined();
  });

  it('loses to the session header when both are sent', async () => {
    const token = ((await login()).json as { value: string }).value;
    const response = await http(`${t.url}${SESSION}?~action=get`, {
      method: 'POST',
      headers: { cookie: `vmware-api-session-id=${token}`, 'vmware-api-session-id': 'f'.repeat(32) },
    });
    expect(response.status).toBe(401);
  });

  it('is expired by delete', async () => {
    const token = ((await login()).json as { value: string }).value;
    const deleted = await http(`${t.url}${SESSION}`, { method: 'DELETE', headers: { 'vmware-api-session-id': token } });
    expect(deleted.status).toBe(200);
    expect(deleted.text).toBe('');
    expect(deleted.headers['set-cookie']).toEqual(['vmware-api-session-id=; Path=/rest; Max-Age=0; HttpOnly; SameSite=Strict']);
  });
});

describe('the /rest session cookie over TLS', () => {
  it('is Secure when set by create and when expired by delete', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vapi-auth-tls-'));
    const tls = await selfSignedCertificate(dataDir, '127.0.0.1');
    const secure = await startTestServer(new MemoryStore(), { https: { cert: tls.cert, key: tls.key } });
    try {
      expect(secure.url).toMatch(/^https:/);
      const created = await http(`${secure.url}${SESSION}`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD), ca: tls.cert });
      const token = (created.json as { value: string }).value;
      expect(created.headers['set-cookie']).toEqual([`vmware-api-session-id=${token}; Path=/rest; HttpOnly; SameSite=Strict; Secure`]);
      const deleted = await http(`${secure.url}${SESSION}`, { method: 'DELETE', headers: { cookie: `vmware-api-session-id=${token}` }, ca: tls.cert });
      expect(deleted.status).toBe(200);
      expect(deleted.headers['set-cookie']).toEqual(['vmware-api-session-id=; Path=/rest; Max-Age=0; HttpOnly; SameSite=Strict; Secure']);
    } finally {
      await secure.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('legacy routing', () => {
  it('serves the ~action aliases and GET for the session', async () => {
    const token = ((await http(`${t.url}${SESSION}?~action=create`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as { value: string }).value;
    const headers = { 'vmware-api-session-id': token };
    expect(((await http(`${t.url}${SESSION}`, { headers })).json as { value: { user: string } }).value.user).toBe('administrator@VSPHERE.LOCAL');
    expect((await http(`${t.url}${SESSION}?~action=delete`, { method: 'POST', headers })).status).toBe(200);
    expect((await http(`${t.url}${SESSION}`, { headers })).status).toBe(401);
  });

  it('answers the five-field 404 for an unknown path, method or action', async () => {
    for (const [method, path] of [['GET', '/rest/com/vmware/nothing'], ['PUT', SESSION], ['POST', `${SESSION}?~action=explode`], ['GET', '/rest']] as const) {
      const response = await http(`${t.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.json).toMatchObject({ name: 'com.vmware.vapi.rest.httpNotFound', majorErrorCode: 404, type: 'com.vmware.vapi.std.errors.not_found' });
    }
  });

  it('puts errors in the legacy envelope with the /rest status', async () => {
    const response = await http(`${t.url}${SESSION}?~action=get`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ type: 'com.vmware.vapi.std.errors.unauthenticated', value: { error_type: 'UNAUTHENTICATED' } });
    expect(response.headers['www-authenticate']).toBe('Basic realm="VAPI endpoint"');
    const malformed = await http(`${t.url}${SESSION}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.json).toMatchObject({ type: 'com.vmware.vapi.std.errors.invalid_request' });
  });

  it('answers 400 in the legacy envelope for a path that cannot be percent-decoded, and for a gap in a query list', async () => {
    const headers = { 'vmware-api-session-id': ((await login()).json as { value: string }).value };
    for (const path of ['/rest/com/vmware/vapi/metadata/authentication/package/id:%ZZ', '/rest/cis/tasks?filter_spec.services.1=a&filter_spec.services.3=c']) {
      const response = await http(`${t.url}${path}`, { headers });
      expect(response.status, path).toBe(400);
      expect(response.json, path).toMatchObject({ type: 'com.vmware.vapi.std.errors.invalid_request', value: { error_type: 'INVALID_REQUEST' } });
    }
  });
});

describe('tasks on /rest', () => {
  /** Starts `com.example.jobs.run` as a task, on /api: the only dialect that serves task invocation. */
  async function startRun(headers: Record<string, string>, name: string): Promise<string> {
    const started = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, { method: 'POST', headers, body: { name } });
    expect(started.status).toBe(202);
    return started.json as string;
  }

  it('are not started here: vmw-task is 400, an operation that only runs as a task has no route', async () => {
    const headers = { 'vmware-api-session-id': ((await login()).json as { value: string }).value };
    const refused = await http(`${t.url}/rest/com/example/jobs?~action=run&vmw-task=true`, { method: 'POST', headers, body: { name: 'legacy' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ type: 'com.vmware.vapi.std.errors.invalid_request', value: { messages: [{ id: 'com.vmware.vapi.rest.badRequest.vmwTask' }] } });
    for (const query of ['~action=once', '~action=once&vmw-task=true']) {
      const response = await http(`${t.url}/rest/com/example/jobs?${query}`, { method: 'POST', headers });
      expect(response.status, query).toBe(404);
      expect(response.json).toMatchObject({ name: 'com.vmware.vapi.rest.httpNotFound' });
    }
    expect(steps.waiting).toBe(0);
  });

  it('are read, listed with dotted queries and canceled on /rest/cis/tasks', async () => {
    const token = ((await login()).json as { value: string }).value;
    const headers = { 'vmware-api-session-id': token };
    const id = await startRun(headers, 'legacy');
    const got = await http(`${t.url}/rest/cis/tasks/${id}?spec.exclude_result=true`, { headers });
    expect(got.json).toMatchObject({ value: { service: 'com.example.jobs', operation: 'run' } });
    const listed = await http(`${t.url}/rest/cis/tasks?filter_spec.services.1=com.example.jobs&filter_spec.targets.1.type=Job&filter_spec.targets.1.id=legacy`, { headers });
    expect(listed.json).toMatchObject({ value: [{ key: id, value: { operation: 'run' } }] });
    const canceled = await http(`${t.url}/rest/cis/tasks/${id}?action=cancel`, { method: 'POST', headers });
    expect(canceled.status).toBe(200);
    const empty = await http(`${t.url}/rest/cis/tasks`, { headers });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ type: 'com.vmware.vapi.std.errors.invalid_argument' });
  });

  it('encodes a task result with maps as key/value lists', async () => {
    const token = ((await login()).json as { value: string }).value;
    const headers = { 'vmware-api-session-id': token };
    const id = await startRun(headers, 'm');
    for (let i = 0; i < 3; i++) {
      while (steps.waiting === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      steps.advance();
    }
    let info: { status?: string; result?: unknown } = {};
    for (let i = 0; i < 100 && info.status !== 'SUCCEEDED'; i++) {
      info = ((await http(`${t.url}/rest/cis/tasks/${id}`, { headers })).json as { value: typeof info }).value;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(info.result).toMatchObject({ name: 'm', labels: [{ key: 'steps', value: 3 }] });
  });
});
