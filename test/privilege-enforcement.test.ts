import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBindings, type ResolvedOperation } from '../src/core/operations.js';
import { legacyBindings } from '../src/dialects/rest/bindings.js';
import { loadPlugins } from '../src/plugins/load-plugins.js';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, type TestServer } from './helpers/test-server.js';

const META = '/api/vapi/metadata/privilege';
const PASSWORD = 'Pr1vileged';
let t: TestServer;
let adminSession: string;

/** Each probed user, its role, and the privileges that role holds (`all` for Administrator). */
const USERS = [
  { name: ADMIN, password: ADMIN_PASSWORD, role: 'Administrator', holds: 'all' as const },
  { name: 'reader@vsphere.local', password: 'Read0nly', role: 'ReadOnly', holds: ['System.Anonymous', 'System.View', 'System.Read'] },
  { name: 'nobody@vsphere.local', password: PASSWORD, role: 'NoAccess', holds: [] as string[] },
  {
    name: 'operator@vsphere.local',
    password: PASSWORD,
    role: 'FirmwareOperator',
    holds: ['System.Anonymous', 'System.View', 'System.Read', 'Host.Config.Firmware'],
  },
];

beforeAll(async () => {
  const plugins = await loadPlugins(['examples/firmware-update.mjs']);
  // JWT and SAML tokens on (this node's STS): the token exchange is probed too.
  t = await startTestServer(new MemoryStore(), { services: [jobsService(new Steps()), ...plugins], tasks: { shutdownGraceMs: 10 }, jwt: true, sts: { keys: await ephemeralStsKeys() } });
  expect(t.server.table.lookup('com.vmware.vcenter.authentication.token', 'issue')).toBeDefined();
  await addUser(t.server, 'nobody@vsphere.local', PASSWORD, 'NoAccess');
  await t.server.access.addRole('FirmwareOperator', ['Host.Config.Firmware']);
  await addUser(t.server, 'operator@vsphere.local', PASSWORD, 'FirmwareOperator');
  adminSession = await login(ADMIN, ADMIN_PASSWORD);
});
afterAll(async () => t.close());

async function login(name: string, password: string): Promise<string> {
  const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(name, password) });
  expect(response.status).toBe(201);
  return response.json as string;
}

/** The privileges a client reads from the metadata: the operation's own list, which is all it needs. */
async function published({ service, operation }: ResolvedOperation): Promise<string[]> {
  const response = await http(`${t.url}${META}/service/${service.id}/operation/${operation.id}`, { headers: { 'vmware-api-session-id': adminSession } });
  expect(response.status, `${service.id}.${operation.id}`).toBe(200);
  return (response.json as { privileges: string[] }).privileges;
}

type Dialect = '/api' | '/rest' | 'JSON-RPC';
type User = (typeof USERS)[number];

/** The credentials of the call: the user's password where the operation creates a session, else its session. */
function credentials(target: ResolvedOperation, user: User, session: string) {
  return target.operation.sessionEffect === 'created'
    ? { headers: basic(user.name, user.password), securityCtx: { schemeId: 'com.vmware.vapi.std.security.user_pass', userName: user.name, password: user.password } }
    : { headers: { 'vmware-api-session-id': session }, securityCtx: { schemeId: 'com.vmware.vapi.std.security.session_id', sessionId: session } };
}

/**
 * Whether the call gets past authorization (any answer but UNAUTHORIZED), with no input at all:
 * authorization comes before the input is decoded, so missing input cannot hide a refusal.
 * Undefined where the dialect has no form of the operation.
 */
async function allowed(dialect: Dialect, target: ResolvedOperation, user: User, session: string): Promise<boolean | undefined> {
  const { service, operation } = target;
  const taskOnly = operation.task === 'task_only';
  const { headers, securityCtx } = credentials(target, user, session);
  if (dialect === 'JSON-RPC') {
    const operationId = taskOnly ? `${operation.id}$task` : operation.id;
    const body = { jsonrpc: '2.0', method: 'invoke', id: '1', params: { serviceId: service.id, operationId, input: { STRUCTURE: { 'operation-input': {} } }, ctx: { appCtx: {}, securityCtx } } };
    const response = await http(`${t.url}/api`, { method: 'POST', body });
    const error = (response.json as { result: { error?: { ERROR: Record<string, unknown> } } }).result.error;
    return !error || !Object.keys(error.ERROR)[0]!.endsWith('.unauthorized');
  }
  if (dialect === '/api') {
    const binding = apiBindings(operation)[0]!;
    const query = new URLSearchParams();
    if (binding.action) query.set('action', binding.action);
    if (taskOnly) query.set('vmw-task', 'true');
    const path = binding.path.replace(/\{\w+\}/g, 'x');
    const response = await http(`${t.url}/api${path}${query.size ? `?${query}` : ''}`, { method: binding.method, headers });
    return response.status !== 403;
  }
  const binding = legacyBindings(target)[0];
  if (!binding) return undefined; // Task-only operations have no /rest form.
  const path = binding.segments.map((segment) => segment.replace(/^(id:)?\{\w+\}$/, (_m, id: string | undefined) => `${id ?? ''}x`)).join('/');
  const query = binding.action ? `?${binding.action[0]}=${binding.action[1]}` : '';
  const response = await http(`${t.url}/rest/${path}${query}`, { method: binding.method, headers });
  return response.status !== 403;
}

describe('privilege enforcement and the privilege metadata', () => {
  it('agree for every operation, every role and every dialect: a call is allowed exactly when the role holds every published privilege', async () => {
    const operations = t.server.table.operations();
    expect(operations.length).toBeGreaterThan(25);
    const refused: string[] = [];
    for (const user of USERS) {
      let session = await login(user.name, user.password);
      for (const target of operations) {
        const needed = await published(target);
        const expected = user.holds === 'all' || needed.every((privilege) => user.holds.includes(privilege));
        for (const dialect of ['/api', '/rest', 'JSON-RPC'] as const) {
          const answer = await allowed(dialect, target, user, session);
          if (answer === undefined) continue;
          expect(answer, `${user.role} ${dialect} ${target.service.id}.${target.operation.id} needs [${needed.join(', ')}]`).toBe(expected);
          if (!answer) refused.push(`${user.role} ${target.operation.id}`);
          if (target.operation.sessionEffect === 'ended') session = await login(user.name, user.password);
        }
      }
    }
    // The probe can fail: NoAccess and ReadOnly are refused somewhere, Administrator nowhere.
    expect(refused.some((entry) => entry.startsWith('NoAccess'))).toBe(true);
    expect(refused.some((entry) => entry.startsWith('ReadOnly apply'))).toBe(true);
    expect(refused.some((entry) => entry.startsWith('Administrator'))).toBe(false);
  });
});
