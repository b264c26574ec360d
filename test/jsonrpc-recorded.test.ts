import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { http, type HttpResponse } from './helpers/http.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * The request/response pairs recorded from the Python SDK (jsonrpc.md §9), replayed byte for
 * byte. Ids, times and tokens differ from the recording; everything else is compared.
 */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TOKEN = /^[0-9a-f]{32}$/;
const OP_ID = '"appCtx":{"opId":"e548e4b6-f999-4514-984a-4ffde1e9fc24"}';
const USER_PASS = `{"schemeId":"com.vmware.vapi.std.security.user_pass","userName":"administrator@vsphere.local","password":"${ADMIN_PASSWORD}"}`;
const sessionCtx = (token: string) => `{"schemeId":"com.vmware.vapi.std.security.session_id","sessionId":"${token}"}`;
const EMPTY_INPUT = '{"STRUCTURE":{"operation-input":{}}}';

function invoke(serviceId: string, operationId: string, input: string, ctx: string, id = '0'): string {
  return `{"jsonrpc":"2.0","method":"invoke","params":{"serviceId":"${serviceId}","operationId":"${operationId}","input":${input},"ctx":${ctx}},"id":"${id}"}`;
}

const withSecurity = (securityCtx: string) => `{${OP_ID},"securityCtx":${securityCtx}}`;

const UNAUTHENTICATED_RECORDED = {
  jsonrpc: '2.0',
  result: {
    error: {
      ERROR: {
        'com.vmware.vapi.std.errors.unauthenticated': {
          messages: [
            {
              STRUCTURE: {
                'com.vmware.vapi.std.localizable_message': {
                  id: 'com.vmware.vapi.endpoint.method.authentication.required',
                  default_message: 'Authentication required.',
                  args: [],
                  params: { OPTIONAL: null },
                  localized: { OPTIONAL: null },
                },
              },
            },
          ],
          data: { OPTIONAL: null },
          error_type: { OPTIONAL: 'UNAUTHENTICATED' },
          challenge: { OPTIONAL: 'Basic realm="VAPI endpoint"' },
        },
      },
    },
  },
  id: '0',
};

const NOT_FOUND_RECORDED = JSON.parse(
  '{"jsonrpc":"2.0","result":{"error":{"ERROR":{"com.vmware.vapi.std.errors.not_found":{"messages":[{"STRUCTURE":{"com.vmware.vapi.std.localizable_message":{"id":"com.vmware.vapi.std.errors.not_found","default_message":"Task with identifier \'no-such-task:com.vmware.cis.tasks\' does not exist.","args":["Task","no-such-task:com.vmware.cis.tasks"],"params":{"OPTIONAL":null},"localized":{"OPTIONAL":null}}}}],"data":{"OPTIONAL":null},"error_type":{"OPTIONAL":"NOT_FOUND"}}}}},"id":"4"}',
);

const TASKS_LIST_RECORDED = JSON.parse(
  '{"jsonrpc":"2.0","result":{"output":[{"STRUCTURE":{"map-entry":{"key":"52f0c3a6-8f5e-4f0c-9a8b-3c2d1e0f9a7b:com.vmware.cis.tasks","value":{"STRUCTURE":{"com.vmware.cis.task.info":{"progress":{"OPTIONAL":{"STRUCTURE":{"com.vmware.cis.task.progress":{"total":100,"completed":100,"message":{"STRUCTURE":{"com.vmware.vapi.std.localizable_message":{"id":"com.vmware.cis.tasks.demo.done","default_message":"Done","args":[],"params":{"OPTIONAL":null},"localized":{"OPTIONAL":null}}}}}}}},"result":{"OPTIONAL":null},"description":{"STRUCTURE":{"com.vmware.vapi.std.localizable_message":{"id":"com.vmware.cis.tasks.demo","default_message":"Capture demo task","args":[],"params":{"OPTIONAL":null},"localized":{"OPTIONAL":null}}}},"service":"com.vmware.cis.tasks","operation":"capture_demo","parent":{"OPTIONAL":null},"target":{"OPTIONAL":null},"status":"SUCCEEDED","cancelable":false,"error":{"OPTIONAL":null},"start_time":{"OPTIONAL":"2026-11-22T06:53:26.907Z"},"end_time":{"OPTIONAL":"2026-11-22T06:54:26.907Z"},"user":{"OPTIONAL":"VSPHERE.LOCAL\\\\Administrator"}}}}}}}]},"id":"1"}',
);

function isOptional(value: unknown): value is { OPTIONAL: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'OPTIONAL' in value;
}

/**
 * `actual` has the structure of `recorded`: the same keys (so the same tags and structure
 * names) at every level, the same JSON types at the leaves. Where the recording has an unset
 * optional, `actual` may have it set, but wrapped.
 */
function expectSameShape(actual: unknown, recorded: unknown, path = '$'): void {
  if (isOptional(recorded) && recorded.OPTIONAL === null) {
    expect(isOptional(actual), `${path} is an OPTIONAL`).toBe(true);
    return;
  }
  if (Array.isArray(recorded)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true);
    if (recorded.length > 0) {
      expect((actual as unknown[]).length, `${path} is not empty`).toBeGreaterThan(0);
      expectSameShape((actual as unknown[])[0], recorded[0], `${path}[0]`);
    }
    return;
  }
  if (typeof recorded === 'object' && recorded !== null) {
    expect(typeof actual === 'object' && actual !== null, `${path} is an object`).toBe(true);
    expect(Object.keys(actual as object).sort(), `keys of ${path}`).toEqual(Object.keys(recorded).sort());
    for (const [key, item] of Object.entries(recorded)) expectSameShape((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
    return;
  }
  expect(typeof actual, `type of ${path}`).toBe(typeof recorded);
}

let t: TestServer;
let steps: Steps;
beforeEach(async () => {
  steps = new Steps();
  t = await startTestServer(new MemoryStore(), { services: [jobsService(steps)], tasks: { heartbeatMs: 60_000, shutdownGraceMs: 50 } });
});
afterEach(async () => t.close());

/** Posts the recorded text with the SDK's headers; every answer the SDK decodes is HTTP 200. */
async function replay(body: string): Promise<HttpResponse> {
  const { serviceId, operationId } = (JSON.parse(body) as { params: { serviceId: string; operationId: string } }).params;
  const response = await http(`${t.url}/api`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'vAPI/2.44.0 Python/3.11.2 (Linux; 6.1.0; x86_64)',
      'vapi-service': serviceId,
      'vapi-operation': operationId,
      'vapi-ctx-opid': 'e548e4b6-f999-4514-984a-4ffde1e9fc24',
      accept: '*/*',
    },
    body,
  });
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['set-cookie']).toBeUndefined();
  return response;
}

async function login(): Promise<string> {
  const response = await replay(invoke('com.vmware.cis.session', 'create', EMPTY_INPUT, withSecurity(USER_PASS)));
  return (response.json as { result: { output: { SECRET: string } } }).result.output.SECRET;
}

describe('recorded JSON-RPC pairs, replayed', () => {
  it('Session.create with user/password answers the token as a SECRET', async () => {
    const response = await replay(invoke('com.vmware.cis.session', 'create', EMPTY_INPUT, withSecurity(USER_PASS)));
    expectSameShape(response.json, { jsonrpc: '2.0', result: { output: { SECRET: '580d5fbdf115216406a73f344f847271' } }, id: '0' });
    expect((response.json as { result: { output: { SECRET: string } } }).result.output.SECRET).toMatch(TOKEN);
    expect(Object.keys(response.json as object)).toEqual(['jsonrpc', 'result', 'id']);
  });

  it('Session.get with a session id answers com.vmware.cis.session.info', async () => {
    const token = await login();
    const response = await replay(invoke('com.vmware.cis.session', 'get', EMPTY_INPUT, withSecurity(sessionCtx(token))));
    expectSameShape(
      response.json,
      JSON.parse(
        '{"jsonrpc":"2.0","result":{"output":{"STRUCTURE":{"com.vmware.cis.session.info":{"user":"VSPHERE.LOCAL\\\\administrator","created_time":"2026-11-22T06:58:28.261Z","last_accessed_time":"2026-11-22T06:58:28.340Z"}}}},"id":"0"}',
      ),
    );
    const info = (response.json as { result: { output: { STRUCTURE: Record<string, Record<string, string>> } } }).result.output.STRUCTURE[
      'com.vmware.cis.session.info'
    ]!;
    expect(info.user).toBe('administrator@VSPHERE.LOCAL');
    expect(info.created_time).toMatch(DATE_TIME);
    expect(info.last_accessed_time).toMatch(DATE_TIME);
  });

  it('Session.create with a wrong password answers the recorded unauthenticated error, field for field', async () => {
    const wrong = USER_PASS.replace(ADMIN_PASSWORD, 'nope');
    const response = await replay(invoke('com.vmware.cis.session', 'create', EMPTY_INPUT, withSecurity(wrong)));
    expect(response.json).toEqual(UNAUTHENTICATED_RECORDED);
    expect(response.headers['vapi-error']).toBe('com.vmware.vapi.std.errors.unauthenticated');
  });

  it('Session.create with a SAML bearer token answers the same unauthenticated error', async () => {
    const saml = '{"schemeId":"com.vmware.vapi.std.security.saml_bearer_token","samlToken":"DUMMY-SAML-BEARER-TOKEN"}';
    const response = await replay(invoke('com.vmware.cis.session', 'create', EMPTY_INPUT, withSecurity(saml)));
    expect(response.json).toEqual(UNAUTHENTICATED_RECORDED);
  });

  it('Session.get without a security context answers unauthenticated', async () => {
    const response = await replay(invoke('com.vmware.cis.session', 'get', EMPTY_INPUT, `{${OP_ID}}`));
    expect(response.json).toEqual(UNAUTHENTICATED_RECORDED);
  });

  it('Session.delete answers output null with the id echoed', async () => {
    const token = await login();
    const response = await replay(invoke('com.vmware.cis.session', 'delete', EMPTY_INPUT, withSecurity(sessionCtx(token)), '15'));
    expect(response.text).toBe('{"jsonrpc":"2.0","result":{"output":null},"id":"15"}');
  });

  it('Tasks.list with a services filter answers map-entry task infos the SDK validators accept', async () => {
    const token = await login();
    const started = await replay(invoke('com.example.jobs', 'once$task', EMPTY_INPUT, withSecurity(sessionCtx(token))));
    const taskId = (started.json as { result: { output: string } }).result.output;
    expect(taskId).toMatch(/:com\.example\.jobs$/);
    steps.advance();
    const filter =
      '{"STRUCTURE":{"operation-input":{"filter_spec":{"OPTIONAL":{"STRUCTURE":{"com.vmware.cis.tasks.filter_spec":{"tasks":{"OPTIONAL":null},"services":{"OPTIONAL":["com.example.jobs"]},"operations":{"OPTIONAL":null},"status":{"OPTIONAL":null},"targets":{"OPTIONAL":null},"users":{"OPTIONAL":null}}}}},"result_spec":{"OPTIONAL":{"STRUCTURE":{"com.vmware.cis.tasks.get_spec":{"return_all":{"OPTIONAL":true},"exclude_result":{"OPTIONAL":false}}}}}}}}';
    let response: HttpResponse;
    let info: Record<string, unknown> = {};
    for (let i = 0; i < 200 && info.status !== 'SUCCEEDED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      response = await replay(invoke('com.vmware.cis.tasks', 'list', filter, withSecurity(sessionCtx(token)), '1'));
      const entry = (response.json as { result: { output: { STRUCTURE: { 'map-entry': { value: { STRUCTURE: Record<string, Record<string, unknown>> } } } }[] } })
        .result.output[0]!;
      info = entry.STRUCTURE['map-entry'].value.STRUCTURE['com.vmware.cis.task.info']!;
    }
    expectSameShape(response!.json, TASKS_LIST_RECORDED);
    expect(info.status).toBe('SUCCEEDED');
    expect(info.cancelable).toBe(false);
    for (const field of ['start_time', 'end_time']) expect((info[field] as { OPTIONAL: string }).OPTIONAL).toMatch(DATE_TIME);
    expect(info.user).toEqual({ OPTIONAL: 'administrator@VSPHERE.LOCAL' });
    expect(info.result).toEqual({ OPTIONAL: 'done' });
  });

  it('Tasks.list without a filter answers invalid_argument', async () => {
    const token = await login();
    const input = '{"STRUCTURE":{"operation-input":{"filter_spec":{"OPTIONAL":null},"result_spec":{"OPTIONAL":null}}}}';
    const response = await replay(invoke('com.vmware.cis.tasks', 'list', input, withSecurity(sessionCtx(token))));
    const error = (response.json as { result: { error: { ERROR: Record<string, { error_type: unknown }> } } }).result.error.ERROR;
    expect(error['com.vmware.vapi.std.errors.invalid_argument']?.error_type).toEqual({ OPTIONAL: 'INVALID_ARGUMENT' });
  });

  it('Tasks.get and Tasks.cancel of an unknown task answer not_found', async () => {
    const token = await login();
    const get = await replay(
      invoke('com.vmware.cis.tasks', 'get', '{"STRUCTURE":{"operation-input":{"task":"no-such-task:com.vmware.cis.tasks","spec":{"OPTIONAL":null}}}}', withSecurity(sessionCtx(token)), '4'),
    );
    expectSameShape(get.json, NOT_FOUND_RECORDED);
    expect(get.headers['vapi-error']).toBe('com.vmware.vapi.std.errors.not_found');
    const cancel = await replay(
      invoke('com.vmware.cis.tasks', 'cancel', '{"STRUCTURE":{"operation-input":{"task":"no-such-task:com.vmware.cis.tasks"}}}', withSecurity(sessionCtx(token)), '4'),
    );
    expectSameShape(cancel.json, NOT_FOUND_RECORDED);
  });

  it('the metadata services answer in the recorded typed shapes, fingerprint matching component data', async () => {
    const token = await login();
    const call = async (serviceId: string, operationId: string, input: string) => {
      const response = await replay(invoke(serviceId, operationId, input, withSecurity(sessionCtx(token)), '6'));
      expect(response.headers['vapi-error'], `${serviceId}.${operationId}`).toBeUndefined();
      expect((response.json as { id: string }).id).toBe('6');
      return (response.json as { result: { output: unknown } }).result.output;
    };
    const NS = 'com.vmware.vapi.metadata.authentication';
    expect(await call(`${NS}.package`, 'list', EMPTY_INPUT)).toContain('com.vmware.cis');
    const pkg = (await call(`${NS}.package`, 'get', '{"STRUCTURE":{"operation-input":{"package_id":"com.vmware.cis"}}}')) as Record<string, Record<string, { schemes: unknown[]; services: unknown[] }>>;
    const info = pkg.STRUCTURE![`${NS}.package_info`]!;
    expect(info.schemes[0]).toEqual({
      STRUCTURE: { [`${NS}.authentication_info`]: { scheme_type: 'SESSION_AWARE', session_manager: { OPTIONAL: 'com.vmware.cis.session' }, scheme: 'com.vmware.vapi.std.security.session_id' } },
    });
    expect(JSON.stringify(info.services)).toContain('{"STRUCTURE":{"map-entry":{"key":"com.vmware.cis.session"');
    expect(await call(`${NS}.service.operation`, 'list', '{"STRUCTURE":{"operation-input":{"service_id":"com.vmware.cis.session"}}}')).toEqual(['create']);
    const data = (await call(`${NS}.component`, 'get', '{"STRUCTURE":{"operation-input":{"component_id":"com.vmware.cis"}}}')) as Record<string, Record<string, { fingerprint: string }>>;
    const fingerprint = await call(`${NS}.component`, 'fingerprint', '{"STRUCTURE":{"operation-input":{"component_id":"com.vmware.cis"}}}');
    expect(fingerprint).toBe(data.STRUCTURE![`${NS}.component_data`]!.fingerprint);
  });
});
