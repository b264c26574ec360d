import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { operationInput, t as types } from '../src/core/types.js';
import { SCHEMES } from '../src/core/schemes.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { ServiceDefinition } from '../src/core/operations.js';
import { basic, http } from './helpers/http.js';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, type TestServer } from './helpers/test-server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOT_FOUND = {
  error_type: 'NOT_FOUND',
  messages: [{ args: [], default_message: 'Not found.', id: 'com.vmware.vapi.rest.httpNotFound' }],
};

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function login(server: TestServer, user = ADMIN, password = ADMIN_PASSWORD): Promise<string> {
  const response = await http(`${server.url}/api/session`, { method: 'POST', headers: basic(user, password) });
  expect(response.status).toBe(201);
  return response.json as string;
}

function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+\(|node_modules|Error:|\.ts:\d|\.js:\d/);
}

describe('requests no route serves', () => {
  it('answer 404 NOT_FOUND with the vCenter body for an unknown path, method or action', async () => {
    t = await startTestServer(new MemoryStore());
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['PUT', '/api/session'],
      ['PATCH', '/api/session'],
      ['GET', '/'],
      ['POST', '/api/session?action=explode'],
      ['POST', '/api/session?vmw-task=true'],
    ] as const) {
      const response = await http(`${t.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.json).toEqual(NOT_FOUND);
    }
  });
});

describe('malformed requests', () => {
  it('answer 400 INVALID_REQUEST for a body that is not JSON', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/session`, {
      method: 'POST',
      headers: { ...basic(ADMIN, ADMIN_PASSWORD), 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect(response.status).toBe(400);
    expect((response.json as { error_type: string }).error_type).toBe('INVALID_REQUEST');
    expectNoInternals(response.text);
  });

  it('answer 400 INVALID_REQUEST for a path that cannot be percent-decoded', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/vapi/metadata/authentication/package/%ZZ`);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error_type: 'INVALID_REQUEST',
      messages: [{ args: [], default_message: 'The request could not be read.', id: 'com.vmware.vapi.rest.badRequest' }],
    });
  });

  it('answer 415 INVALID_REQUEST for a body that is not JSON by its content type', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/session`, {
      method: 'POST',
      headers: { ...basic(ADMIN, ADMIN_PASSWORD), 'content-type': 'application/xml' },
      body: '<session/>',
    });
    expect(response.status).toBe(415);
    expect((response.json as { error_type: string }).error_type).toBe('INVALID_REQUEST');
  });

  it('answer 413 INVALID_REQUEST for a body over the limit', async () => {
    t = await startTestServer(new MemoryStore(), { bodyLimit: 64 });
    const response = await http(`${t.url}/api/session`, {
      method: 'POST',
      headers: basic(ADMIN, ADMIN_PASSWORD),
      body: { padding: 'x'.repeat(200) },
    });
    expect(response.status).toBe(413);
    expect((response.json as { error_type: string }).error_type).toBe('INVALID_REQUEST');
  });

  it('answer 400 UNEXPECTED_INPUT for a field or query parameter the operation does not have', async () => {
    t = await startTestServer(new MemoryStore());
    const field = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD), body: { spec: {} } });
    expect(field.status).toBe(400);
    expect(field.json).toMatchObject({ error_type: 'UNEXPECTED_INPUT', messages: [{ args: ['spec'] }] });
    const query = await http(`${t.url}/api/session?colour=red`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
    expect(query.json).toMatchObject({ error_type: 'UNEXPECTED_INPUT', messages: [{ args: ['colour'] }] });
  });

  it('tell an unauthenticated caller nothing about input rules', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/session?colour=red`, { method: 'POST', body: { spec: {} } });
    expect(response.status).toBe(401);
  });

  it('accept an empty JSON body as no body', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/session`, {
      method: 'POST',
      headers: { ...basic(ADMIN, ADMIN_PASSWORD), 'content-type': 'application/json' },
      body: '',
    });
    expect(response.status).toBe(201);
  });
});

describe('the 401 answer', () => {
  it('carries the challenge in WWW-Authenticate and in the body', async () => {
    t = await startTestServer(new MemoryStore());
    const response = await http(`${t.url}/api/session`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="VAPI endpoint"');
    expect(response.json).toEqual({
      error_type: 'UNAUTHENTICATED',
      messages: [{ args: [], default_message: 'Authentication required.', id: 'com.vmware.vapi.endpoint.method.authentication.required' }],
      challenge: 'Basic realm="VAPI endpoint"',
    });
  });

  it('treats malformed Basic credentials as none', async () => {
    t = await startTestServer(new MemoryStore());
    for (const authorization of ['Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ' + Buffer.from([0xff, 0x3a, 0x61]).toString('base64'), 'Basic', 'Bearer x']) {
      const response = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('accepts a password that contains colons and non-ASCII characters', async () => {
    t = await startTestServer(new MemoryStore());
    await addUser(t.server, 'uni@vsphere.local', 'p:ä:€:ß', 'ReadOnly');
    await login(t, 'uni@vsphere.local', 'p:ä:€:ß');
  });
});

describe('session transport on /api', () => {
  it('ignores a session id sent as a cookie', async () => {
    t = await startTestServer(new MemoryStore());
    const token = await login(t);
    const response = await http(`${t.url}/api/session`, { headers: { cookie: `vmware-api-session-id=${token}` } });
    expect(response.status).toBe(401);
  });

  it('creates a new session when Authorization and a session header come together', async () => {
    t = await startTestServer(new MemoryStore());
    const token = await login(t);
    const response = await http(`${t.url}/api/session`, {
      method: 'POST',
      headers: { ...basic(ADMIN, ADMIN_PASSWORD), 'vmware-api-session-id': token },
    });
    expect(response.status).toBe(201);
    expect(response.json).not.toBe(token);
  });
});

describe('session caps', () => {
  it('answer 503 with the per-user and the total message ids', async () => {
    t = await startTestServer(new MemoryStore(), { sessions: { maxSessionsPerUser: 2, maxSessions: 3 } });
    await login(t);
    await login(t);
    const perUser = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
    expect(perUser.status).toBe(503);
    expect(perUser.json).toMatchObject({
      error_type: 'SERVICE_UNAVAILABLE',
      messages: [{ id: 'com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached' }],
    });
    await login(t, 'reader@vsphere.local', 'Read0nly');
    const total = await http(`${t.url}/api/session`, { method: 'POST', headers: basic('reader@vsphere.local', 'Read0nly') });
    expect(total.status).toBe(503);
    expect(total.json).toMatchObject({ messages: [{ id: 'com.vmware.vapi.endpoint.failedToLoginMaxSessionCountReached' }] });
  });

  it('count a deleted session no more', async () => {
    t = await startTestServer(new MemoryStore(), { sessions: { maxSessionsPerUser: 1 } });
    const token = await login(t);
    await http(`${t.url}/api/session`, { method: 'DELETE', headers: { 'vmware-api-session-id': token } });
    await login(t);
  });
});

describe('a store that cannot answer', () => {
  it('gives 503 SERVICE_UNAVAILABLE with no detail, logs the cause, and recovers by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-busy-'));
    const file = join(dir, 'vapi-auth.sqlite');
    const log = new PassThrough();
    const lines: string[] = [];
    log.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    t = await startTestServer(new SqliteStore({ file, busyTimeoutMs: 50 }), { logLevel: 'info', logStream: log });
    const blocker = new Database(file);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
      expect(response.status).toBe(503);
      expect(response.json).toEqual({
        error_type: 'SERVICE_UNAVAILABLE',
        messages: [{ args: [], default_message: 'The session service is unavailable.', id: 'com.vmware.vapi.endpoint.session.service_unavailable' }],
      });
      expect(lines.some((line) => line.includes('SQLITE_BUSY') || line.includes('database is locked'))).toBe(true);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await login(t);
    await t.close();
    t = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('an operation already running when its session ends', () => {
  it('completes normally', async () => {
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: ServiceDefinition = {
      id: 'com.example.slow',
      schemes: [SCHEMES.sessionId],
      operations: [
        {
          id: 'run',
          input: operationInput(),
          output: types.string,
          errors: [],
          api: { method: 'POST', path: '/example/slow' },
          handler: async () => {
            entered();
            await gate;
            return 'done';
          },
        },
      ],
    };
    t = await startTestServer(new MemoryStore(), { services: [slow] });
    const token = await login(t);
    const pending = http(`${t.url}/api/example/slow`, { method: 'POST', headers: { 'vmware-api-session-id': token } });
    await started;
    const deleted = await http(`${t.url}/api/session`, { method: 'DELETE', headers: { 'vmware-api-session-id': token } });
    expect(deleted.status).toBe(204);
    release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.json).toBe('done');
    const after = await http(`${t.url}/api/example/slow`, { method: 'POST', headers: { 'vmware-api-session-id': token } });
    expect(after.status).toBe(401);
  });
});
