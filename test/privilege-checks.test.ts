import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '../src/core/schemes.js';
import { operationInput, t } from '../src/core/types.js';
import type { ServiceDefinition } from '../src/core/operations.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { basic, http, type HttpResponse } from './helpers/http.js';
import { untag } from './helpers/session-dialects.js';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, storeFactories, type TestServer } from './helpers/test-server.js';

/**
 * The privilege-check recorder (authorization.md §4) end to end through a real server: take the
 * latest marker, run a workflow, list what it needed.
 */

const CHECKS = '/api/vcenter/authorization/privilege-checks';
const NS = 'com.vmware.vcenter.authorization.privilege_checks';
const UNAUTHORIZED_BODY =
  '{"error_type":"UNAUTHORIZED","messages":[{"args":[],"default_message":"Unable to authorize user","id":"vapi.security.authorization.invalid"}]}';
const ROOT = { type: 'Folder', id: 'group-d1' };
const READER = { name: 'reader', domain: 'vsphere.local' };
const OPERATOR = { name: 'operator', domain: 'vsphere.local' };

/** A small service with privileges: `open` needs Vault.Open (operation) and Vault.Enter on the vault it names (privilege_info). */
const vaultService: ServiceDefinition = {
  id: 'com.example.vault',
  schemes: [SCHEMES.sessionId],
  operations: [
    {
      id: 'open',
      input: operationInput({ vault: t.id('Vault') }),
      output: t.string,
      errors: ['UNAUTHORIZED'],
      privileges: ['Vault.Open'],
      privilegeInfo: { vault: ['Vault.Enter'] },
      api: { method: 'POST', path: '/example/vaults/{vault}', action: 'open' },
      handler: async (input: { vault: string }) => `opened ${input.vault}`,
    },
  ],
};

interface Info {
  object: { type: string; id: string };
  principal?: { name: string; domain: string };
  privilege: string;
}
interface ListResult {
  items: Info[];
  marker: string;
  truncated: boolean;
}

async function login(url: string, user: string, password: string): Promise<string> {
  const response = await http(`${url}/api/session`, { method: 'POST', headers: basic(user, password) });
  if (response.status !== 201) throw new Error(`login of ${user} failed: ${response.status} ${response.text}`);
  return response.json as string;
}

const sessionHeaders = (session: string, extra: Record<string, string> = {}) => ({ 'vmware-api-session-id': session, ...extra });

async function latest(url: string, session: string): Promise<string> {
  const response = await http(`${url}${CHECKS}/latest`, { headers: sessionHeaders(session) });
  expect(response.status, response.text).toBe(200);
  return response.json as string;
}

function listRaw(url: string, session: string | undefined, input: unknown, query = ''): Promise<HttpResponse> {
  return http(`${url}${CHECKS}${query}`, { method: 'POST', headers: session ? sessionHeaders(session) : {}, body: input });
}

async function list(url: string, session: string, input: unknown): Promise<ListResult> {
  const response = await listRaw(url, session, input);
  expect(response.status, response.text).toBe(200);
  return response.json as ListResult;
}

function openVault(url: string, session: string, vault: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return http(`${url}/api/example/vaults/${vault}?action=open`, { method: 'POST', headers: sessionHeaders(session, headers) });
}

function listTasks(url: string, session: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return http(`${url}/api/cis/tasks?services=com.example.vault`, { headers: sessionHeaders(session, headers) });
}

/** `POST /api` JSON-RPC invoke with `ctx.appCtx.opId`; returns the untagged output or throws with the error. */
async function jsonRpc(url: string, session: string, serviceId: string, operationId: string, input: Record<string, unknown>, opId?: string): Promise<unknown> {
  const ctx = { ...(opId ? { appCtx: { opId } } : {}), securityCtx: { schemeId: SCHEMES.sessionId, sessionId: session } };
  const response = await http(`${url}/api`, {
    method: 'POST',
    headers: { 'vapi-service': serviceId, 'vapi-operation': operationId },
    body: { jsonrpc: '2.0', method: 'invoke', params: { serviceId, operationId, input: { STRUCTURE: { 'operation-input': input } }, ctx }, id: '1' },
  });
  const { result } = response.json as { result?: { output?: unknown; error?: unknown } };
  if (response.status !== 200 || !result || !('output' in result)) throw new Error(`JSON-RPC ${serviceId}.${operationId} failed: ${response.text}`);
  return untag(result.output);
}

const info = (principal: Info['principal'], privilege: string, object = ROOT): Info => ({ object, ...(principal ? { principal } : {}), privilege });

/** A server with the vault service, a VaultOperator role and a user who has it. */
async function startVaultServer(store = new MemoryStore() as Parameters<typeof startTestServer>[0], options: Parameters<typeof startTestServer>[1] = {}) {
  const server = await startTestServer(store, { services: [vaultService], ...options });
  await server.server.access.addRole('VaultOperator', ['Vault.Open', 'Vault.Enter']);
  await addUser(server.server, 'operator@vsphere.local', 'Op3rator', 'VaultOperator');
  const admin = await login(server.url, ADMIN, ADMIN_PASSWORD);
  const reader = await login(server.url, 'reader@vsphere.local', 'Read0nly');
  const operator = await login(server.url, 'operator@vsphere.local', 'Op3rator');
  return { t: server, admin, reader, operator };
}

type VaultServer = Awaited<ReturnType<typeof startVaultServer>>;

/**
 * The scripted workflow: a ReadOnly user lists tasks (X-Request-ID wf-list) and is refused a vault
 * (vmware-api-operation-id wf-refused); an operator opens vault-1 (wf-open) and, over JSON-RPC,
 * vault-2 (appCtx.opId wf-rpc).
 */
async function workflow({ t: server, reader, operator }: VaultServer): Promise<void> {
  expect((await listTasks(server.url, reader, { 'x-request-id': 'wf-list' })).status).toBe(200);
  expect((await openVault(server.url, reader, 'vault-1', { 'vmware-api-operation-id': 'wf-refused' })).status).toBe(403);
  expect((await openVault(server.url, operator, 'vault-1', { 'x-request-id': 'wf-open' })).status).toBe(200);
  expect(await jsonRpc(server.url, operator, 'com.example.vault', 'open', { vault: 'vault-2' }, 'wf-rpc')).toBe('opened vault-2');
}

/** What the workflow needed, in order; the JSON-RPC call's Vault.Open on the root repeats wf-open's and is listed once. */
const WORKFLOW_ITEMS: Info[] = [
  info(READER, 'System.Read'),
  info(READER, 'Task.ViewAll'),
  info(READER, 'Vault.Open'),
  info(OPERATOR, 'Vault.Open'),
  info(OPERATOR, 'Vault.Enter', { type: 'Vault', id: 'vault-1' }),
  info(OPERATOR, 'Vault.Enter', { type: 'Vault', id: 'vault-2' }),
];

describe('privilege checks of a scripted workflow', () => {
  let v: VaultServer;
  let start: string;
  let end: string;
  beforeAll(async () => {
    v = await startVaultServer();
    start = await latest(v.t.url, v.admin);
    await workflow(v);
    end = await latest(v.t.url, v.admin);
  });
  afterAll(async () => v.t.close());

  const between = (filter?: unknown) => list(v.t.url, v.admin, { iteration: { marker: start, end_marker: end }, ...(filter ? { filter } : {}) });

  it('lists exactly what the workflow needed, in the order checked, from the marker taken before it', async () => {
    expect(start).toMatch(/^\d+$/);
    const result = await list(v.t.url, v.admin, { iteration: { marker: start } });
    expect(result).toEqual({ items: WORKFLOW_ITEMS, marker: end, truncated: false });
    // Seven checks were made: the JSON-RPC call's Vault.Open on the root is a check of its own.
    expect(Number(end) - Number(start)).toBe(7);
  });

  it('records the checks of a refused call, so that an administrator learns what a ReadOnly script lacks', async () => {
    const result = await between({ op_ids: ['wf-refused'] });
    expect(result.items).toEqual([info(READER, 'Vault.Open')]);
  });

  it('answers the same list with ?action=list and with no body fields at all', async () => {
    const plain = await listRaw(v.t.url, v.admin, { iteration: { marker: start } });
    const action = await listRaw(v.t.url, v.admin, { iteration: { marker: start } }, '?action=list');
    expect(action.status).toBe(200);
    expect(action.json).toEqual(plain.json);
    const everything = await list(v.t.url, v.admin, {});
    expect(everything.items.slice(-WORKFLOW_ITEMS.length)).toEqual(WORKFLOW_ITEMS);
    expect(everything.truncated).toBe(false);
  });

  it('stops at end_marker and answers it as the marker', async () => {
    const first = String(Number(start) + 2);
    expect(await list(v.t.url, v.admin, { iteration: { marker: start, end_marker: first } })).toEqual({
      items: [info(READER, 'System.Read'), info(READER, 'Task.ViewAll')],
      marker: first,
      truncated: false,
    });
    expect(await list(v.t.url, v.admin, { iteration: { marker: start, end_marker: start } })).toEqual({ items: [], marker: start, truncated: false });
  });

  it('filters by object', async () => {
    expect((await between({ objects: [{ type: 'Vault', id: 'vault-1' }] })).items).toEqual([WORKFLOW_ITEMS[4]]);
    expect((await between({ objects: [ROOT] })).items).toEqual(WORKFLOW_ITEMS.slice(0, 4));
    // The type is part of the object: the same id of another type is another object.
    expect((await between({ objects: [{ type: 'HostSystem', id: 'vault-1' }] })).items).toEqual([]);
  });

  it('filters by the raw session id the checks were made with', async () => {
    expect((await between({ sessions: [v.reader] })).items).toEqual(WORKFLOW_ITEMS.slice(0, 3));
    expect((await between({ sessions: [v.operator] })).items).toEqual(WORKFLOW_ITEMS.slice(3));
    // The administrator only read the record, which is not recorded: its session matches nothing.
    expect((await between({ sessions: [v.admin] })).items).toEqual([]);
  });

  it('filters by principal, whatever the case of name and domain', async () => {
    expect((await between({ principals: [{ name: 'READER', domain: 'VSPHERE.LOCAL' }] })).items).toEqual(WORKFLOW_ITEMS.slice(0, 3));
    expect((await between({ principals: [{ name: 'Operator', domain: 'vSphere.Local' }] })).items).toEqual(WORKFLOW_ITEMS.slice(3));
    expect((await between({ principals: [{ name: 'reader', domain: 'example.com' }] })).items).toEqual([]);
  });

  it('matches anonymous checks only with a null principal entry (none were made: every caller here authenticated)', async () => {
    expect((await between({ principals: [null] })).items).toEqual([]);
    expect((await between({ principals: [null, { name: 'operator', domain: 'vsphere.local' }] })).items).toEqual(WORKFLOW_ITEMS.slice(3));
  });

  it('filters by privilege', async () => {
    expect((await between({ privileges: ['Task.ViewAll'] })).items).toEqual([info(READER, 'Task.ViewAll')]);
    expect((await between({ privileges: ['Vault.Open'] })).items).toEqual([info(READER, 'Vault.Open'), info(OPERATOR, 'Vault.Open')]);
  });

  it('filters by op id: X-Request-ID, vmware-api-operation-id and JSON-RPC appCtx.opId', async () => {
    expect((await between({ op_ids: ['wf-list'] })).items).toEqual(WORKFLOW_ITEMS.slice(0, 2));
    expect((await between({ op_ids: ['wf-refused'] })).items).toEqual([WORKFLOW_ITEMS[2]]);
    expect((await between({ op_ids: ['wf-open'] })).items).toEqual([WORKFLOW_ITEMS[3], WORKFLOW_ITEMS[4]]);
    // The JSON-RPC call's Vault.Open is a check of its own, hidden by the dedup only in the unfiltered answer.
    expect((await between({ op_ids: ['wf-rpc'] })).items).toEqual([info(OPERATOR, 'Vault.Open'), WORKFLOW_ITEMS[5]]);
  });

  it('returns checks matching ANY condition, in the order made; an empty list is no condition', async () => {
    const either = await between({ privileges: ['Task.ViewAll'], objects: [{ type: 'Vault', id: 'vault-2' }], op_ids: ['wf-refused'] });
    expect(either.items).toEqual([WORKFLOW_ITEMS[1], WORKFLOW_ITEMS[2], WORKFLOW_ITEMS[5]]);
    expect((await between({ objects: [], privileges: ['Task.ViewAll'] })).items).toEqual([WORKFLOW_ITEMS[1]]);
    expect((await between({ objects: [], sessions: [], principals: [], privileges: [], op_ids: [] })).items).toEqual(WORKFLOW_ITEMS);
  });

  it('answers the same list over /rest', async () => {
    const input = { iteration: { marker: start, end_marker: end }, filter: { principals: [{ name: 'reader', domain: 'vsphere.local' }] } };
    const api = await listRaw(v.t.url, v.admin, input);
    const rest = await http(`${v.t.url}/rest/com/vmware/vcenter/authorization/privilege_checks?~action=list`, {
      method: 'POST',
      headers: sessionHeaders(v.admin),
      body: input,
    });
    expect(rest.status, rest.text).toBe(200);
    expect(rest.json).toEqual({ value: api.json });
    expect((api.json as ListResult).items).toEqual(WORKFLOW_ITEMS.slice(0, 3));
  });

  it('answers the same list over JSON-RPC', async () => {
    const api = await listRaw(v.t.url, v.admin, { iteration: { marker: start, end_marker: end }, filter: { op_ids: ['wf-open', 'wf-list'] } });
    const output = await jsonRpc(v.t.url, v.admin, NS, 'list', {
      iteration: { OPTIONAL: { STRUCTURE: { [`${NS}.iteration_spec`]: { marker: { OPTIONAL: start }, end_marker: { OPTIONAL: end } } } } },
      filter: { OPTIONAL: { STRUCTURE: { [`${NS}.filter_spec`]: { op_ids: { OPTIONAL: ['wf-open', 'wf-list'] } } } } },
    });
    expect(output).toEqual(api.json);
    expect((api.json as ListResult).items).toEqual(WORKFLOW_ITEMS.slice(0, 2).concat(WORKFLOW_ITEMS.slice(3, 5)));
    expect(await jsonRpc(v.t.url, v.admin, `${NS}.latest`, 'get', {})).toBe(await latest(v.t.url, v.admin));
  });

  it('does not record its own operations: reading the record (allowed or refused) leaves it as it was', async () => {
    const before = await latest(v.t.url, v.admin);
    await list(v.t.url, v.admin, { iteration: { marker: start } });
    expect((await listRaw(v.t.url, v.reader, {})).status).toBe(403);
    expect((await http(`${v.t.url}${CHECKS}/latest`, { headers: sessionHeaders(v.reader) })).status).toBe(403);
    expect(await latest(v.t.url, v.admin)).toBe(before);
  });
});

describe('privilege checks: paging, dedup, waiting, errors', () => {
  let v: VaultServer;
  beforeAll(async () => {
    v = await startVaultServer();
  });
  afterAll(async () => v.t.close());

  it('pages with size and the returned markers until done, losing and repeating nothing', async () => {
    const start = await latest(v.t.url, v.admin);
    const vaults = Array.from({ length: 11 }, (_, i) => `p-${i}`);
    for (const vault of vaults) expect((await openVault(v.t.url, v.operator, vault)).status).toBe(200);
    const whole = await list(v.t.url, v.admin, { iteration: { marker: start }, filter: { privileges: ['Vault.Enter'] } });
    expect(whole.items.map((item) => item.object.id)).toEqual(vaults);

    const seen: string[] = [];
    const sizes: number[] = [];
    let marker = start;
    for (let page = 0; page < 20; page++) {
      const result = await list(v.t.url, v.admin, { iteration: { marker, size: 4 }, filter: { privileges: ['Vault.Enter'] } });
      expect(result.truncated).toBe(false);
      sizes.push(result.items.length);
      if (result.items.length === 0) break;
      seen.push(...result.items.map((item) => item.object.id));
      expect(Number(result.marker)).toBeGreaterThan(Number(marker));
      marker = result.marker;
    }
    expect(sizes).toEqual([4, 4, 3, 0]);
    expect(seen).toEqual(vaults);
    expect(marker).toBe(await latest(v.t.url, v.admin));
  });

  it('answers size 1 one check at a time, and accepts the bounds 1 and 10000', async () => {
    const start = await latest(v.t.url, v.admin);
    expect((await openVault(v.t.url, v.operator, 'one-at-a-time')).status).toBe(200);
    const first = await list(v.t.url, v.admin, { iteration: { marker: start, size: 1 } });
    expect(first.items).toEqual([info(OPERATOR, 'Vault.Open')]);
    const second = await list(v.t.url, v.admin, { iteration: { marker: first.marker, size: 1 } });
    expect(second.items).toEqual([info(OPERATOR, 'Vault.Enter', { type: 'Vault', id: 'one-at-a-time' })]);
    expect((await list(v.t.url, v.admin, { iteration: { marker: start, size: 10_000 } })).items).toHaveLength(2);
  });

  it('lists identical infos once per answer, while each request is still found by its op id', async () => {
    const start = await latest(v.t.url, v.admin);
    for (const id of ['dup-1', 'dup-2', 'dup-3']) expect((await listTasks(v.t.url, v.reader, { 'x-request-id': id })).status).toBe(200);
    expect((await list(v.t.url, v.admin, { iteration: { marker: start } })).items).toEqual([info(READER, 'System.Read'), info(READER, 'Task.ViewAll')]);
    expect((await list(v.t.url, v.admin, { iteration: { marker: start }, filter: { op_ids: ['dup-3'] } })).items).toEqual([
      info(READER, 'System.Read'),
      info(READER, 'Task.ViewAll'),
    ]);
    // Six checks were kept (three requests), listed as two.
    expect(Number(await latest(v.t.url, v.admin)) - Number(start)).toBe(6);
  });

  it('prefers vmware-api-operation-id over X-Request-ID, and replaces an op id that is too long or not printable', async () => {
    const start = await latest(v.t.url, v.admin);
    await listTasks(v.t.url, v.reader, { 'vmware-api-operation-id': 'op-wins', 'x-request-id': 'rid-loses' });
    const long = 'x'.repeat(129);
    await listTasks(v.t.url, v.reader, { 'x-request-id': long });
    await listTasks(v.t.url, v.reader, { 'x-request-id': 'has space' });
    const byOp = (id: string) => list(v.t.url, v.admin, { iteration: { marker: start }, filter: { op_ids: [id] } });
    expect((await byOp('op-wins')).items).toHaveLength(2);
    expect((await byOp('rid-loses')).items).toEqual([]);
    expect((await byOp(long)).items).toEqual([]);
    expect((await byOp('x'.repeat(128))).items).toEqual([]);
    expect((await byOp('has space')).items).toEqual([]);
    // The longest acceptable id is kept as given.
    await listTasks(v.t.url, v.reader, { 'x-request-id': 'y'.repeat(128) });
    expect((await byOp('y'.repeat(128))).items).toHaveLength(2);
  });

  it('with timeout_ms, waits for a matching check and returns the one a request sent meanwhile made', async () => {
    const start = await latest(v.t.url, v.admin);
    const waiting = list(v.t.url, v.admin, { iteration: { marker: start, timeout_ms: 20_000 }, filter: { op_ids: ['awaited'] } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A check that does not match does not end the wait.
    expect((await openVault(v.t.url, v.operator, 'not-awaited', { 'x-request-id': 'other' })).status).toBe(200);
    expect((await openVault(v.t.url, v.operator, 'awaited', { 'x-request-id': 'awaited' })).status).toBe(200);
    const result = await waiting;
    expect(result.items).toEqual([info(OPERATOR, 'Vault.Open'), info(OPERATOR, 'Vault.Enter', { type: 'Vault', id: 'awaited' })]);
    expect(result.truncated).toBe(false);
  });

  it('with timeout_ms and nothing matching, returns empty after the wait, with a marker to continue from', async () => {
    const start = await latest(v.t.url, v.admin);
    expect((await openVault(v.t.url, v.operator, 'unrelated')).status).toBe(200);
    const result = await list(v.t.url, v.admin, { iteration: { marker: start, timeout_ms: 300 }, filter: { op_ids: ['never-sent'] } });
    expect(result.items).toEqual([]);
    expect(result.truncated).toBe(false);
    expect(Number(result.marker)).toBeGreaterThanOrEqual(Number(start));
    expect(Number(result.marker)).toBeLessThanOrEqual(Number(await latest(v.t.url, v.admin)));
  });

  it('refuses a marker or end_marker that is not a marker of this server with 400 INVALID_ARGUMENT', async () => {
    const last = Number(await latest(v.t.url, v.admin));
    const bad = ['', 'abc', '-1', '1.5', '1e3', ' 1', '0x1', String(last + 1), '9'.repeat(16), '99999999999999'];
    for (const marker of bad) {
      for (const field of ['marker', 'end_marker']) {
        const response = await listRaw(v.t.url, v.admin, { iteration: { [field]: marker } });
        expect(response.status, `${field} ${JSON.stringify(marker)}: ${response.text}`).toBe(400);
        expect((response.json as { error_type: string }).error_type).toBe('INVALID_ARGUMENT');
      }
    }
    expect((await listRaw(v.t.url, v.admin, { iteration: { marker: '0', end_marker: String(last) } })).status).toBe(200);
  });

  it('refuses a size outside 1..10000 and a negative timeout with 400 INVALID_ARGUMENT', async () => {
    for (const iteration of [{ size: 0 }, { size: -1 }, { size: 10_001 }, { timeout_ms: -1 }]) {
      const response = await listRaw(v.t.url, v.admin, { iteration });
      expect(response.status, `${JSON.stringify(iteration)}: ${response.text}`).toBe(400);
      expect((response.json as { error_type: string }).error_type).toBe('INVALID_ARGUMENT');
    }
  });

  it('refuses a ReadOnly caller with 403 and exactly the vCenter body, on list and latest', async () => {
    for (const response of [
      await listRaw(v.t.url, v.reader, {}),
      await listRaw(v.t.url, v.reader, { iteration: { marker: 'not-even-a-marker' } }),
      await listRaw(v.t.url, v.reader, {}, '?action=list'),
      await http(`${v.t.url}${CHECKS}/latest`, { headers: sessionHeaders(v.reader) }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.text).toBe(UNAUTHORIZED_BODY);
    }
  });

  it('refuses a ReadOnly caller over /rest and JSON-RPC too', async () => {
    const rest = await http(`${v.t.url}/rest/com/vmware/vcenter/authorization/privilege_checks?~action=list`, { method: 'POST', headers: sessionHeaders(v.reader), body: {} });
    expect(rest.status).toBe(403);
    expect(rest.json).toEqual({ type: 'com.vmware.vapi.std.errors.unauthorized', value: JSON.parse(UNAUTHORIZED_BODY) });
    const rpc = await http(`${v.t.url}/api`, {
      method: 'POST',
      body: {
        jsonrpc: '2.0',
        method: 'invoke',
        params: { serviceId: `${NS}.latest`, operationId: 'get', input: { STRUCTURE: { 'operation-input': {} } }, ctx: { securityCtx: { schemeId: SCHEMES.sessionId, sessionId: v.reader } } },
        id: '1',
      },
    });
    const error = untag((rpc.json as { result: { error: unknown } }).result.error) as { error_type: string; messages: unknown[] };
    expect(error.error_type).toBe('UNAUTHORIZED');
    expect(error.messages).toEqual(JSON.parse(UNAUTHORIZED_BODY).messages);
  });

  it('refuses a user whose custom role lacks the privilege, and lets one whose custom role has it read the record', async () => {
    expect((await listRaw(v.t.url, v.operator, {})).status).toBe(403);
    await v.t.server.access.addRole('Auditor', ['Sessions.CollectPrivilegeChecks']);
    await addUser(v.t.server, 'auditor@vsphere.local', 'Aud1tor', 'Auditor');
    const auditor = await login(v.t.url, 'auditor@vsphere.local', 'Aud1tor');
    expect((await listRaw(v.t.url, auditor, {})).status).toBe(200);
    expect(await latest(v.t.url, auditor)).toMatch(/^\d+$/);
  });

  it('answers an unauthenticated caller 401, before looking at the input', async () => {
    for (const response of [
      await listRaw(v.t.url, undefined, {}),
      await listRaw(v.t.url, undefined, { iteration: { marker: 'nonsense', size: 0 } }),
      await http(`${v.t.url}${CHECKS}`, { method: 'POST', headers: sessionHeaders('no-such-session'), body: {} }),
      await http(`${v.t.url}${CHECKS}/latest`),
      await http(`${v.t.url}${CHECKS}/latest`, { headers: sessionHeaders('no-such-session') }),
      // Basic credentials are not a scheme of the recorder: a password does not read it.
      await http(`${v.t.url}${CHECKS}/latest`, { headers: basic(ADMIN, ADMIN_PASSWORD) }),
    ]) {
      expect(response.status, response.text).toBe(401);
      expect((response.json as { error_type: string }).error_type).toBe('UNAUTHENTICATED');
    }
  });
});

describe('privilege checks: a small capacity', () => {
  let v: VaultServer | undefined;
  afterEach(async () => {
    await v?.t.close();
    v = undefined;
  });

  it('says truncated when checks after the marker were already dropped, and lists those still kept', async () => {
    v = await startVaultServer(new MemoryStore(), { privilegeRecorder: { capacity: 4 } });
    const start = await latest(v.t.url, v.admin);
    for (const vault of ['c-1', 'c-2', 'c-3', 'c-4']) expect((await openVault(v.t.url, v.operator, vault)).status).toBe(200);
    const fromStart = await list(v.t.url, v.admin, { iteration: { marker: start }, filter: { privileges: ['Vault.Enter'] } });
    expect(fromStart.truncated).toBe(true);
    expect(fromStart.items.map((item) => item.object.id)).toEqual(['c-3', 'c-4']);
    const last = await latest(v.t.url, v.admin);
    const recent = await list(v.t.url, v.admin, { iteration: { marker: String(Number(last) - 2) } });
    expect(recent.truncated).toBe(false);
    expect(recent.items).toEqual([info(OPERATOR, 'Vault.Open'), info(OPERATOR, 'Vault.Enter', { type: 'Vault', id: 'c-4' })]);
    // The oldest marker still answerable without a gap: the one just before the oldest kept check.
    expect((await list(v.t.url, v.admin, { iteration: { marker: String(Number(last) - 4) } })).truncated).toBe(false);
    expect((await list(v.t.url, v.admin, { iteration: { marker: String(Number(last) - 5) } })).truncated).toBe(true);
  });

  it('records nothing with capacity 0, while still enforcing every privilege', async () => {
    v = await startVaultServer(new MemoryStore(), { privilegeRecorder: { capacity: 0 } });
    await workflow(v);
    expect(await latest(v.t.url, v.admin)).toBe('0');
    expect(await list(v.t.url, v.admin, { iteration: { marker: '0', timeout_ms: 200 } })).toEqual({ items: [], marker: '0', truncated: false });
  });
});

describe('privilege checks of several servers on one store', () => {
  let dir: string;
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists on one server the checks another server made, waiting with timeout_ms for its batch to be written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vapi-auth-checks-'));
    const file = join(dir, 'vapi-auth.sqlite');
    const a = await startTestServer(new SqliteStore({ file }), { services: [vaultService] });
    servers.push(a);
    const b = await startTestServer(new SqliteStore({ file }), { services: [vaultService] });
    servers.push(b);
    const admin = await login(b.url, ADMIN, ADMIN_PASSWORD);
    const reader = await login(a.url, 'reader@vsphere.local', 'Read0nly');
    const start = await latest(b.url, admin);
    expect((await openVault(a.url, reader, 'vault-a', { 'x-request-id': 'made-on-a' })).status).toBe(403);
    const result = await list(b.url, admin, { iteration: { marker: start, timeout_ms: 10_000 }, filter: { op_ids: ['made-on-a'] } });
    expect(result.items).toEqual([info(READER, 'Vault.Open')]);
    // And the marker of one server is a marker of the other.
    expect((await list(a.url, admin, { iteration: { marker: result.marker } })).items).toEqual([]);
  });
});

describe.each(storeFactories())('privilege checks on the $kind store', ({ open }) => {
  let v: VaultServer | undefined;
  afterEach(async () => {
    await v?.t.close();
    v = undefined;
  });

  it('records the workflow and lists it, filtered and paged, the same', async () => {
    v = await startVaultServer(await open());
    const start = await latest(v.t.url, v.admin);
    await workflow(v);
    const end = await latest(v.t.url, v.admin);
    expect(await list(v.t.url, v.admin, { iteration: { marker: start } })).toEqual({ items: WORKFLOW_ITEMS, marker: end, truncated: false });
    expect((await list(v.t.url, v.admin, { iteration: { marker: start }, filter: { principals: [{ name: 'READER', domain: 'vsphere.LOCAL' }], op_ids: ['wf-rpc'] } })).items).toEqual([
      ...WORKFLOW_ITEMS.slice(0, 3),
      info(OPERATOR, 'Vault.Open'),
      WORKFLOW_ITEMS[5],
    ]);
    const paged: Info[] = [];
    let marker = start;
    for (let page = 0; page < 10; page++) {
      const result = await list(v.t.url, v.admin, { iteration: { marker, size: 2 }, filter: { sessions: [v.operator] } });
      if (result.items.length === 0) break;
      paged.push(...result.items);
      marker = result.marker;
    }
    // Per page dedup: the JSON-RPC call's Vault.Open falls on a page of its own and shows again.
    expect(paged).toEqual([info(OPERATOR, 'Vault.Open'), WORKFLOW_ITEMS[4], info(OPERATOR, 'Vault.Open'), WORKFLOW_ITEMS[5]]);
  });
});
