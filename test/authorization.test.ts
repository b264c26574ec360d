import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../src/core/operations.js';
import { OperationTable } from '../src/core/operation-table.js';
import { SCHEMES } from '../src/core/schemes.js';
import { operationInput, t as types } from '../src/core/types.js';
import { loadPlugins } from '../src/plugins/load-plugins.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, type TestServer } from './helpers/test-server.js';

/** authorization.md §2, to the byte. */
const REFUSAL = {
  error_type: 'UNAUTHORIZED',
  messages: [{ args: [], default_message: 'Unable to authorize user', id: 'vapi.security.authorization.invalid' }],
};
const APPLY = '/api/example/firmware/host-1?action=apply';

/** `com.example.hosts.inspect`: a host, and a peer host whose inspection needs a privilege on that peer (privilege_info). */
const hostsService: ServiceDefinition = {
  id: 'com.example.hosts',
  schemes: [SCHEMES.sessionId],
  privileges: ['System.Read'],
  operations: [
    {
      id: 'inspect',
      input: operationInput({ host: types.id('HostSystem'), peer: types.optional(types.id('HostSystem')) }),
      output: types.string,
      errors: [],
      privilegeInfo: { peer: ['Host.Inventory.Compare'] },
      api: { method: 'POST', path: '/example/hosts/{host}', action: 'inspect' },
      handler: async (input: { host: string; peer?: string }) => (input.peer ? `${input.host}~${input.peer}` : input.host),
    },
  ],
};

let t: TestServer;
let log: string[];
afterEach(async () => t.close());

async function start(): Promise<void> {
  log = [];
  const logStream = new Writable({ write: (chunk: Buffer, _encoding, done) => (log.push(chunk.toString('utf8')), done()) });
  const steps = new Steps();
  const plugins = await loadPlugins(['examples/firmware-update.mjs']);
  t = await startTestServer(new MemoryStore(), { services: [jobsService(steps), hostsService, ...plugins], tasks: { shutdownGraceMs: 10 }, logLevel: 'info', logStream });
}

async function session(name: string, password: string): Promise<Record<string, string>> {
  const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(name, password) });
  expect(response.status, name).toBe(201);
  return { 'vmware-api-session-id': response.json as string };
}

const reader = () => session('reader@vsphere.local', 'Read0nly');
const admin = () => session(ADMIN, ADMIN_PASSWORD);

describe('a caller without a needed privilege', () => {
  it('gets UNAUTHORIZED with exactly the vCenter body on /api (403), /rest and JSON-RPC', async () => {
    await start();
    const headers = await reader();
    const api = await http(`${t.url}${APPLY}`, { method: 'POST', headers, body: { version: '2.0.0' } });
    expect(api.status).toBe(403);
    expect(api.text).toBe(JSON.stringify(REFUSAL));

    const rest = await http(`${t.url}/rest/com/example/firmware/id:host-1?~action=apply`, { method: 'POST', headers, body: { version: '2.0.0' } });
    expect(rest.status).toBe(403);
    expect(rest.json).toEqual({ type: 'com.vmware.vapi.std.errors.unauthorized', value: REFUSAL });

    const rpc = await http(`${t.url}/api`, {
      method: 'POST',
      body: {
        jsonrpc: '2.0',
        method: 'invoke',
        id: '7',
        params: {
          serviceId: 'com.example.firmware',
          operationId: 'apply',
          input: { STRUCTURE: { 'operation-input': { host: 'host-1', version: '2.0.0' } } },
          ctx: { appCtx: {}, securityCtx: { schemeId: SCHEMES.sessionId, sessionId: headers['vmware-api-session-id'] } },
        },
      },
    });
    expect(rpc.status).toBe(200);
    expect(rpc.headers['vapi-error']).toBe('com.vmware.vapi.std.errors.unauthorized');
    expect(rpc.json).toEqual({
      jsonrpc: '2.0',
      id: '7',
      result: {
        error: {
          ERROR: {
            'com.vmware.vapi.std.errors.unauthorized': {
              messages: [
                {
                  STRUCTURE: {
                    'com.vmware.vapi.std.localizable_message': {
                      args: [],
                      default_message: 'Unable to authorize user',
                      id: 'vapi.security.authorization.invalid',
                      localized: { OPTIONAL: null },
                      params: { OPTIONAL: null },
                    },
                  },
                },
              ],
              error_type: { OPTIONAL: 'UNAUTHORIZED' },
              data: { OPTIONAL: null },
            },
          },
        },
      },
    });
  });

  it('is told nothing about the input: a refused call with a malformed body still gets 403, not a decoding error', async () => {
    await start();
    const response = await http(`${t.url}${APPLY}`, { method: 'POST', headers: await reader(), body: { version: 5, unknown_field: true } });
    expect(response.status).toBe(403);
    expect(response.json).toEqual(REFUSAL);
  });

  it('is asked to authenticate first: without credentials the answer is 401, whatever the privileges', async () => {
    await start();
    const response = await http(`${t.url}${APPLY}`, { method: 'POST', body: { version: '2.0.0' } });
    expect(response.status).toBe(401);
    expect((response.json as { error_type: string }).error_type).toBe('UNAUTHENTICATED');
  });

  it('has the missing privilege logged, never sent', async () => {
    await start();
    const response = await http(`${t.url}${APPLY}`, { method: 'POST', headers: await reader(), body: { version: '2.0.0' } });
    expect(response.text).not.toContain('Host.Config.Firmware');
    await new Promise((resolve) => setImmediate(resolve));
    const refusal = log.map((line) => JSON.parse(line) as { msg: string; reason?: string }).find((entry) => entry.msg === 'request refused');
    expect(refusal?.reason).toBe('missing Host.Config.Firmware on Folder:group-d1');
  });
});

describe('roles and permissions', () => {
  it('let a custom role run what it grants, and a change apply on the very next request of a live session', async () => {
    await start();
    await t.server.access.addRole('FirmwareOperator', ['Host.Config.Firmware']);
    const headers = await reader();
    expect((await http(`${t.url}${APPLY}`, { method: 'POST', headers, body: { version: '2.0.0' } })).status).toBe(403);
    await t.server.access.grant('reader@vsphere.local', 'FirmwareOperator');
    const applied = await http(`${t.url}${APPLY}`, { method: 'POST', headers, body: { version: '2.0.0', step_ms: 1 } });
    expect(applied.status).toBe(200);
    await t.server.access.grant('reader@vsphere.local', 'ReadOnly');
    expect((await http(`${t.url}${APPLY}`, { method: 'POST', headers, body: { version: '2.0.1' } })).status).toBe(403);
    await t.server.access.updateRole('FirmwareOperator', []);
    await t.server.access.grant('reader@vsphere.local', 'FirmwareOperator');
    expect((await http(`${t.url}${APPLY}`, { method: 'POST', headers, body: { version: '2.0.1' } })).status).toBe(403);
  });

  it('leave a NoAccess user or one without any permission logged in, but able to do nothing else', async () => {
    await start();
    await addUser(t.server, 'nobody@vsphere.local', 'N0body', 'NoAccess');
    await t.server.identity.add('stray@vsphere.local', 'Str4y');
    for (const [name, password] of [['nobody@vsphere.local', 'N0body'], ['stray@vsphere.local', 'Str4y']] as const) {
      const headers = await session(name, password);
      expect((await http(`${t.url}/api/session`, { headers })).status).toBe(200);
      expect((await http(`${t.url}/api/cis/tasks?services=com.example.jobs`, { headers })).status).toBe(403);
      expect((await http(`${t.url}/api/vapi/metadata/privilege/component`, { headers })).status).toBe(403);
    }
  });

  it('end a session user’s rights at once when its permission is removed', async () => {
    await start();
    const headers = await reader();
    expect((await http(`${t.url}/api/cis/tasks?services=com.example.jobs`, { headers })).status).toBe(200);
    expect(await t.server.access.revoke('reader')).toBe(true);
    expect((await http(`${t.url}/api/cis/tasks?services=com.example.jobs`, { headers })).status).toBe(403);
  });
});

describe('tasks of other users', () => {
  it('are hidden without Task.ViewAll, seen with it, and canceled only with Global.CancelTask', async () => {
    await start();
    await t.server.access.addRole('TaskWatcher', ['Task.ViewAll']);
    await addUser(t.server, 'watcher@vsphere.local', 'W4tcher', 'TaskWatcher');
    const started = await http(`${t.url}/api/example/jobs?action=run&vmw-task=true`, { method: 'POST', headers: await admin(), body: { name: 'nightly' } });
    expect(started.status).toBe(202);
    const id = started.json as string;
    const path = `${t.url}/api/cis/tasks/${encodeURIComponent(id)}`;

    expect((await http(path, { headers: await reader() })).status).toBe(404);
    const watcher = await session('watcher@vsphere.local', 'W4tcher');
    expect((await http(path, { headers: watcher })).status).toBe(200);
    const cancel = await http(`${path}?action=cancel`, { method: 'POST', headers: watcher });
    expect(cancel.status).toBe(403);
    expect(cancel.json).toEqual(REFUSAL);
    await t.server.access.updateRole('TaskWatcher', ['Task.ViewAll', 'Global.CancelTask']);
    expect((await http(`${path}?action=cancel`, { method: 'POST', headers: watcher })).status).toBe(204);
  });
});

describe('privileges on input properties (privilege_info)', () => {
  it('are needed only when the property is given, on the object it names, and are published', async () => {
    await start();
    const headers = await reader();
    expect((await http(`${t.url}/api/example/hosts/host-1?action=inspect`, { method: 'POST', headers })).json).toBe('host-1');
    const refused = await http(`${t.url}/api/example/hosts/host-1?action=inspect`, { method: 'POST', headers, body: { peer: 'host-2' } });
    expect(refused.status).toBe(403);
    await t.server.access.addRole('Comparer', ['Host.Inventory.Compare']);
    await t.server.access.grant('reader', 'Comparer');
    expect((await http(`${t.url}/api/example/hosts/host-1?action=inspect`, { method: 'POST', headers, body: { peer: 'host-2' } })).json).toBe('host-1~host-2');

    const info = await http(`${t.url}/api/vapi/metadata/privilege/service/com.example.hosts/operation/inspect`, { headers: await admin() });
    expect(info.json).toEqual({ privileges: ['System.Read'], privilege_info: [{ property_path: 'peer', privileges: ['Host.Inventory.Compare'] }] });
    expect(refused.json).toEqual(REFUSAL);
  });

  it('must name an id of the input: a table refuses one that does not', () => {
    const broken: ServiceDefinition = {
      id: 'com.example.broken',
      operations: [{ ...hostsService.operations[0]!, privilegeInfo: { 'host.name': ['X.Y'] } }],
    };
    expect(() => new OperationTable().addService(broken)).toThrow(/privilege_info host.name names no id/);
  });
});

describe('the privilege metadata', () => {
  it('answers every level from the table, and NOT_FOUND for what it does not know', async () => {
    await start();
    const headers = await admin();
    const read = async (path: string) => http(`${t.url}/api/vapi/metadata/privilege${path}`, { headers });
    expect((await read('/component')).json).toEqual(['com.example', 'com.vmware.cis', 'com.vmware.vapi', 'com.vmware.vcenter', 'vapi_auth']);
    const vapi = (await read('/package/com.vmware.vapi')).json as { privileges: string[]; services: Record<string, unknown> };
    expect(vapi.privileges).toEqual(['System.Read']);
    expect(Object.keys(vapi.services)).toContain('com.vmware.vapi.metadata.privilege.service.operation');
    expect((await read('/service/com.vmware.cis.session')).json).toEqual({
      operations: Object.fromEntries(['create', 'get', 'delete'].map((op) => [op, { privileges: [], privilege_info: [] }])),
    });
    expect((await read('/service/com.vmware.cis.tasks/operation')).json).toEqual(['get', 'list', 'cancel']);
    const component = (await read('/component/com.vmware.cis')).json as { fingerprint: string };
    expect((await read('/component/com.vmware.cis/fingerprint')).json).toBe(component.fingerprint);
    for (const path of ['/component/com.nothing', '/package/com.vmware', '/service/com.vmware.cis.nothing', '/service/com.vmware.cis.session/operation/nothing']) {
      const response = await read(path);
      expect(response.status, path).toBe(404);
      expect((response.json as { messages: { id: string }[] }).messages[0]!.id).toBe('com.vmware.vapi.metadata.privilege.not_found');
    }
    const legacy = await http(`${t.url}/rest/com/vmware/vapi/metadata/privilege/service/operation/id:com.example.firmware?~action=get`, { method: 'POST', headers, body: { operation_id: 'apply' } });
    expect(legacy.json).toEqual({ value: { privileges: ['Host.Config.Firmware'], privilege_info: [] } });
  });
});
