import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { http, type HttpResponse } from './helpers/http.js';
import { invokeBody, untag } from './helpers/session-dialects.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const admin = { userName: ADMIN, password: ADMIN_PASSWORD };

async function post(body: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
  t ??= await startTestServer(new MemoryStore(), { bodyLimit: 4096 });
  return http(`${t.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

function expectRpcError(response: HttpResponse, code: number, id: string | null): void {
  expect(response.status).toBe(200);
  const body = response.json as { jsonrpc: string; error: { code: number; message: string }; id: unknown };
  expect(body).toEqual({ jsonrpc: '2.0', error: { code, message: expect.any(String) }, id });
  expect(response.text).not.toMatch(/\bat .+\(|node_modules|\.ts:\d|\.js:\d/);
}

function stdError(response: HttpResponse): { name: string; fields: Record<string, unknown> } {
  expect(response.status).toBe(200);
  const body = response.json as { result: { error: { ERROR: Record<string, unknown> } }; id: string };
  const [name, fields] = Object.entries(body.result.error.ERROR)[0]!;
  expect(response.headers['vapi-error']).toBe(name);
  return { name, fields: fields as Record<string, unknown> };
}

describe('JSON-RPC envelope errors', () => {
  it('answers -32700 with id null for a body that is not JSON', async () => {
    expectRpcError(await post('{"jsonrpc":"2.0",'), -32700, null);
    expectRpcError(await post(''), -32700, null);
  });

  it('answers -32600 with id null for a wrong jsonrpc version, a missing or non-string id, or a batch', async () => {
    const body = invokeBody('com.vmware.cis.session', 'create', admin);
    expectRpcError(await post({ ...body, jsonrpc: '1.0' }), -32600, null);
    expectRpcError(await post({ ...body, id: 0 }), -32600, null);
    expectRpcError(await post({ ...body, id: undefined }), -32600, null);
    expectRpcError(await post([body]), -32600, null);
  });

  it('answers -32601 with the id echoed for a method other than invoke', async () => {
    expectRpcError(await post({ ...invokeBody('com.vmware.cis.session', 'create', admin), method: 'call', id: '7' }), -32601, '7');
  });

  it('answers -32602 with the id echoed for missing or malformed params', async () => {
    const body = invokeBody('com.vmware.cis.session', 'create', admin);
    expectRpcError(await post({ ...body, params: undefined, id: '3' }), -32602, '3');
    expectRpcError(await post({ ...body, params: { ...body.params, serviceId: 5 }, id: '3' }), -32602, '3');
    expectRpcError(await post({ ...body, params: { ...body.params, ctx: 'x' }, id: '3' }), -32602, '3');
  });

  it('answers -31001 when vapi-service or vapi-operation names another operation than the body', async () => {
    const body = { ...invokeBody('com.vmware.cis.session', 'create', admin), id: '9' };
    expectRpcError(await post(body, { 'vapi-service': 'com.vmware.cis.tasks' }), -31001, '9');
    expectRpcError(await post(body, { 'vapi-operation': 'delete' }), -31001, '9');
    const matching = await post(body, { 'vapi-service': 'com.vmware.cis.session', 'vapi-operation': 'create' });
    expect(untag((matching.json as { result: { output: unknown } }).result.output)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers OPERATION_NOT_FOUND for an unknown service, operation or $task id', async () => {
    for (const [serviceId, operationId] of [
      ['com.example.nothing', 'get'],
      ['com.vmware.cis.session', 'explode'],
      ['com.vmware.cis.session', 'create$task'],
    ]) {
      const response = await post({ ...invokeBody(serviceId!, operationId!, admin), id: '4' });
      expect((response.json as { id: string }).id).toBe('4');
      const { name, fields } = stdError(response);
      expect(name).toBe('com.vmware.vapi.std.errors.operation_not_found');
      expect(fields.error_type).toEqual({ OPTIONAL: 'OPERATION_NOT_FOUND' });
    }
  });

  it('answers 413 and 415 before the route as JSON-RPC errors with id null', async () => {
    const large = await post({ ...invokeBody('com.vmware.cis.session', 'create', admin), pad: 'x'.repeat(5000) });
    expect(large.status).toBe(413);
    expect(large.json).toEqual({ jsonrpc: '2.0', error: { code: -32600, message: 'Request body is too large.' }, id: null });
    const xml = await post('<invoke/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect((xml.json as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('treats an absent input as an empty operation-input and refuses an input of another shape', async () => {
    const body = invokeBody('com.vmware.cis.session', 'create', admin);
    const noInput = await post({ ...body, params: { ...body.params, input: undefined } });
    expect(untag((noInput.json as { result: { output: unknown } }).result.output)).toMatch(/^[0-9a-f]{32}$/);
    const untagged = await post({ ...body, params: { ...body.params, input: {} } });
    expect(stdError(untagged).name).toBe('com.vmware.vapi.std.errors.invalid_argument');
    const extra = await post({ ...body, params: { ...body.params, input: { STRUCTURE: { 'operation-input': { x: 1 } } } } });
    expect(stdError(extra).name).toBe('com.vmware.vapi.std.errors.unexpected_input');
  });

  it('keeps GET /api and everything below /api/ in the REST dialect', async () => {
    t = await startTestServer(new MemoryStore());
    const get = await http(`${t.url}/api`);
    expect(get.status).toBe(404);
    expect((get.json as { error_type: string }).error_type).toBe('NOT_FOUND');
    const below = await http(`${t.url}/api/`, { method: 'POST', body: invokeBody('com.vmware.cis.session', 'create', admin) });
    expect(below.status).toBe(404);
  });
});

describe('JSON-RPC credentials', () => {
  it('refuses SAML bearer tokens under both scheme ids and field names, and HoK, with the one UNAUTHENTICATED', async () => {
    const wrong = await post(invokeBody('com.vmware.cis.session', 'create', { userName: ADMIN, password: 'nope' }));
    for (const securityCtx of [
      { schemeId: 'com.vmware.vapi.std.security.saml_bearer_token', samlToken: 'DUMMY-SAML-BEARER-TOKEN' },
      { schemeId: 'com.vmware.vapi.std.security.bearer_token', token: 'DUMMY-SAML-BEARER-TOKEN' },
      {
        schemeId: 'com.vmware.vapi.std.security.saml_hok_token',
        timestamp: { expires: '2026-11-22T07:18:28.563Z', created: '2026-11-22T06:58:28.563Z' },
        signatureAlgorithm: 'RS256',
        signature: { samlToken: '<saml2:Assertion>DUMMY</saml2:Assertion>', value: 'ROR6Qu8NEq05yCl7' },
      },
      { schemeId: 'com.vmware.vapi.std.security.oauth', accessToken: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' },
    ]) {
      const body = invokeBody('com.vmware.cis.session', 'create', {});
      const response = await post({ ...body, params: { ...body.params, ctx: { ...body.params.ctx, securityCtx } } });
      expect(stdError(response).name).toBe('com.vmware.vapi.std.errors.unauthenticated');
      expect(response.text).toBe(wrong.text);
    }
  });

  it('does not authenticate with a session cookie and sets none (cookie riding)', async () => {
    const created = await post(invokeBody('com.vmware.cis.session', 'create', admin));
    expect(created.headers['set-cookie']).toBeUndefined();
    const token = untag((created.json as { result: { output: unknown } }).result.output) as string;
    const get = await post(invokeBody('com.vmware.cis.session', 'get', {}), { cookie: `vmware-api-session-id=${token}` });
    expect(stdError(get).name).toBe('com.vmware.vapi.std.errors.unauthenticated');
    expect(get.headers['set-cookie']).toBeUndefined();
  });

  it('takes a vmware-api-session-id header in place of the security context, as the reference runtime does', async () => {
    const created = await post(invokeBody('com.vmware.cis.session', 'create', admin));
    const token = untag((created.json as { result: { output: unknown } }).result.output) as string;
    const get = await post(invokeBody('com.vmware.cis.session', 'get', {}), { 'vmware-api-session-id': token });
    expect(untag((get.json as { result: { output: unknown } }).result.output)).toMatchObject({ user: 'administrator@VSPHERE.LOCAL' });
    // The header replaces the context: user_pass in the body no longer counts.
    const create = await post(invokeBody('com.vmware.cis.session', 'create', admin), { 'vmware-api-session-id': token });
    expect(stdError(create).name).toBe('com.vmware.vapi.std.errors.unauthenticated');
  });

  it('logs the opId of a failed call, and never its password', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    t = await startTestServer(new MemoryStore(), { logLevel: 'info', logStream });
    const body = invokeBody('com.vmware.cis.session', 'create', { userName: ADMIN, password: 'S3cret-Guess' });
    await post(body, { 'vapi-ctx-opid': 'op-header-1' });
    const log = lines.join('');
    expect(log).toContain('"opId":"op-header-1"');
    expect(log).not.toContain('S3cret-Guess');
  });
});
