import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBindings, type ResolvedOperation } from '../src/core/operations.js';
import { decodePlain, encodePlain } from '../src/core/plain-json.js';
import { decodeDataValue, encodeDataValue } from '../src/dialects/jsonrpc/data-value.js';
import { legacyBindings } from '../src/dialects/rest/bindings.js';
import { SCHEMES } from '../src/core/schemes.js';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { assertionXml, sign, testIssuer, type Issuer } from './helpers/saml.js';
import { basic, http } from './helpers/http.js';
import { invokeBody, type Credentials } from './helpers/session-dialects.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

/** What a call answered, the same way for both dialects: a value in `/api` JSON, or an error type. */
type Answer = { value: unknown } | { errorType: string };

let t: TestServer;
let issuer: Issuer;
/** What /rest answers where /api and JSON-RPC start a task: no such route (spec README decision 6). */
const NO_REST_TASKS: Answer = { errorType: 'NOT_FOUND' };
const steps = new Steps();
let finishedTask = '';

function key({ service, operation }: ResolvedOperation): string {
  return `${service.id}.${operation.id}`;
}

async function viaApi(target: ResolvedOperation, input: Record<string, unknown>, credentials: Credentials, asTask = false): Promise<Answer> {
  const binding = apiBindings(target.operation)[0]!;
  const rest = { ...input };
  const path = binding.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = String(rest[name]);
    delete rest[name];
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  if (binding.action) query.set('action', binding.action);
  if (asTask) query.set('vmw-task', 'true');
  const inBody = binding.method !== 'GET' && binding.method !== 'DELETE';
  if (!inBody) for (const [name, value] of Object.entries(rest)) query.set(name, String(value));
  const headers = 'userName' in credentials ? basic(credentials.userName, credentials.password) : 'sessionId' in credentials ? { 'vmware-api-session-id': credentials.sessionId } : {};
  const response = await http(`${t.url}/api${path}${query.size > 0 ? `?${query}` : ''}`, {
    method: binding.method,
    headers,
    ...(inBody && Object.keys(rest).length > 0 ? { body: rest } : {}),
  });
  if (response.status >= 400) return { errorType: errorName(response.json as ErrorBody) };
  return { value: response.json };
}

/** The fields an error body carries in plain JSON: a std error's type, or an operation's own (OAuth 2.0) error name. */
type ErrorBody = { error_type?: string; error?: string };

/** A std error by its type; an error the operation declares itself (OAuth 2.0's) as `declared:<error>`. */
function errorName(body: ErrorBody): string {
  return body.error_type ?? `declared:${body.error}`;
}

async function viaJsonRpc(target: ResolvedOperation, input: Record<string, unknown>, credentials: Credentials, asTask = false): Promise<Answer> {
  const { operation } = target;
  let typed: unknown;
  try {
    typed = encodeDataValue(operation.input, decodePlain(operation.input, input, '', 'object'));
  } catch {
    // Input the type refuses (the mistakes below) goes out as written, fields untyped.
    typed = { STRUCTURE: { 'operation-input': input } };
  }
  const operationId = asTask ? `${operation.id}$task` : operation.id;
  const response = await http(`${t.url}/api`, { method: 'POST', body: invokeBody(target.service.id, operationId, credentials, typed) });
  expect(response.status).toBe(200);
  const { result } = response.json as { result: { output?: unknown; error?: { ERROR: Record<string, { error_type?: { OPTIONAL: string }; error?: string }> } } };
  if (result.error) {
    const error = Object.values(result.error.ERROR)[0]!;
    return { errorType: errorName({ error_type: error.error_type?.OPTIONAL, error: error.error }) };
  }
  if (asTask) return { value: result.output };
  const native = decodeDataValue(operation.output, result.output, 'output');
  return { value: operation.output.kind === 'void' ? undefined : encodePlain(operation.output, native, 'object') };
}

/** `{a: {b: [x, y]}}` → `a.b.1=x&a.b.2=y`, the legacy query form. */
function dottedQuery(value: unknown, prefix: string, into: URLSearchParams): void {
  if (Array.isArray(value)) value.forEach((item, i) => dottedQuery(item, `${prefix}.${i + 1}`, into));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) dottedQuery(v, prefix ? `${prefix}.${k}` : k, into);
  else into.set(prefix, String(value));
}

/** The legacy dialect: the operation's custom binding, else its `POST …?~action=` form. */
async function viaRest(target: ResolvedOperation, input: Record<string, unknown>, credentials: Credentials, asTask = false): Promise<Answer> {
  // An operation that only runs as a task has no /rest form (tasks are served on /api only); a client would try the generic one.
  const binding = legacyBindings(target)[0] ?? { method: 'POST', segments: target.service.id.split('.'), action: ['~action', target.operation.id] as const };
  const rest = { ...input };
  const path = binding.segments
    .map((segment) =>
      segment.replace(/^(id:)?\{(\w+)\}$/, (_match, id: string | undefined, name: string) => {
        const value = String(rest[name]);
        delete rest[name];
        return `${id ?? ''}${encodeURIComponent(value)}`;
      }),
    )
    .join('/');
  const query = new URLSearchParams();
  if (binding.action) query.set(binding.action[0], binding.action[1]);
  if (asTask) query.set('vmw-task', 'true');
  const inBody = binding.method !== 'GET' && binding.method !== 'DELETE';
  if (!inBody) dottedQuery(rest, '', query);
  const headers = 'userName' in credentials ? basic(credentials.userName, credentials.password) : 'sessionId' in credentials ? { 'vmware-api-session-id': credentials.sessionId } : {};
  const response = await http(`${t.url}/rest/${path}${query.size > 0 ? `?${query}` : ''}`, {
    method: binding.method,
    headers,
    ...(inBody && Object.keys(rest).length > 0 ? { body: rest } : {}),
  });
  const body = response.json as { value?: unknown } | undefined;
  if (response.status >= 400) return { errorType: errorName(body?.value as ErrorBody) };
  const { output } = target.operation;
  if (output.kind === 'void') return { value: body?.value };
  return { value: encodePlain(output, decodePlain(output, body!.value, 'value', 'entries'), 'object') };
}

async function session(): Promise<Credentials> {
  const response = await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
  return { sessionId: response.json as string };
}

/** A correct call of each operation: its input, and whether it runs as a task. Every operation in the table must have one. */
const CALLS: Record<string, () => { input: Record<string, unknown>; credentials?: Credentials; asTask?: boolean }> = {
  'com.vmware.cis.session.create': () => ({ input: {}, credentials: { userName: ADMIN, password: ADMIN_PASSWORD } }),
  'com.vmware.cis.session.get': () => ({ input: {} }),
  'com.vmware.cis.session.delete': () => ({ input: {} }),
  'com.vmware.cis.tasks.get': () => ({ input: { task: finishedTask } }),
  'com.vmware.cis.tasks.list': () => ({ input: { filter_spec: { services: ['com.example.jobs'] } } }),
  'com.vmware.cis.tasks.cancel': () => ({ input: { task: finishedTask } }),
  'com.example.jobs.run': () => ({ input: { name: 'nightly' } }),
  'com.example.jobs.fail': () => ({ input: {} }),
  'com.example.jobs.once': () => ({ input: {}, asTask: true }),
  'com.example.jobs.plain': () => ({ input: {} }),
  'com.vmware.vapi.metadata.authentication.component.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.authentication.component.get': () => ({ input: { component_id: 'com.vmware.cis' } }),
  'com.vmware.vapi.metadata.authentication.component.fingerprint': () => ({ input: { component_id: 'com.vmware.vapi' } }),
  'com.vmware.vapi.metadata.authentication.package.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.authentication.package.get': () => ({ input: { package_id: 'com.vmware.cis' } }),
  'com.vmware.vapi.metadata.authentication.service.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.authentication.service.get': () => ({ input: { service_id: 'com.vmware.cis.session' } }),
  'com.vmware.vapi.metadata.authentication.service.operation.list': () => ({ input: { service_id: 'com.vmware.cis.session' } }),
  'com.vmware.vapi.metadata.authentication.service.operation.get': () => ({ input: { service_id: 'com.vmware.cis.session', operation_id: 'create' } }),
  'com.vmware.vapi.metadata.privilege.component.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.privilege.component.get': () => ({ input: { component_id: 'com.vmware.cis' } }),
  'com.vmware.vapi.metadata.privilege.component.fingerprint': () => ({ input: { component_id: 'com.vmware.vapi' } }),
  'com.vmware.vapi.metadata.privilege.package.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.privilege.package.get': () => ({ input: { package_id: 'com.vmware.vapi' } }),
  'com.vmware.vapi.metadata.privilege.service.list': () => ({ input: {} }),
  'com.vmware.vapi.metadata.privilege.service.get': () => ({ input: { service_id: 'com.vmware.cis.tasks' } }),
  'com.vmware.vapi.metadata.privilege.service.operation.list': () => ({ input: { service_id: 'com.vmware.cis.tasks' } }),
  'com.vmware.vapi.metadata.privilege.service.operation.get': () => ({ input: { service_id: 'com.vmware.cis.tasks', operation_id: 'cancel' } }),
  'com.vmware.vcenter.authentication.token.issue': () => ({
    input: { spec: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: samlToken(), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' } },
  }),
  // The first check only: later calls of this very test record more.
  'com.vmware.vcenter.authorization.privilege_checks.list': () => ({ input: { iteration: { marker: '0', end_marker: '1' } } }),
  'com.vmware.vcenter.authorization.privilege_checks.latest.get': () => ({ input: {} }),
  // The administration services: calls that change nothing on a second run, or that are refused alike.
  'vapi_auth.sessions.list': () => ({ input: {} }),
  'vapi_auth.sessions.delete': () => ({ input: { session: 'ffffffffffff' } }),
  'vapi_auth.users.list': () => ({ input: {} }),
  'vapi_auth.users.create': () => ({ input: { user: 'parity', password: 'Par1ty-pass' } }),
  'vapi_auth.users.set_password': () => ({ input: { user: 'parity', password: 'Par1ty-pass' } }),
  'vapi_auth.users.unlock': () => ({ input: { user: 'parity@vsphere.local' } }),
  'vapi_auth.users.delete': () => ({ input: { user: 'ghost' } }),
  'vapi_auth.roles.list': () => ({ input: {} }),
  'vapi_auth.roles.create': () => ({ input: { role: 'Parity', privileges: ['Task.ViewAll'] } }),
  'vapi_auth.roles.update': () => ({ input: { role: 'Parity', privileges: ['Task.ViewAll'] } }),
  'vapi_auth.roles.delete': () => ({ input: { role: 'Ghost' } }),
  'vapi_auth.permissions.list': () => ({ input: {} }),
  'vapi_auth.permissions.set': () => ({ input: { principal: 'parity', group: false, role: 'Parity' } }),
  'vapi_auth.permissions.delete': () => ({ input: { principal: 'ghost@example.com', group: true } }),
  'vapi_auth.privileges.list': () => ({ input: {} }),
  'vapi_auth.audit.list': () => ({ input: { filter: { limit: 10 } } }),
};

/** A SAML bearer token of the trusted test issuer, base64url, for the token exchange. */
function samlToken(): string {
  const now = t.clock.now();
  return Buffer.from(sign(assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + 3_600_000 }), issuer)).toString('base64url');
}

beforeAll(async () => {
  issuer = await testIssuer();
  // JWT and SAML tokens on, so that the token exchange is in the table.
  t = await startTestServer(new MemoryStore(), {
    services: [jobsService(steps)],
    tasks: { heartbeatMs: 60_000, shutdownGraceMs: 50 },
    jwt: true,
    saml: { trustedCertificates: [issuer.cert] },
    sts: { keys: await ephemeralStsKeys() },
  });
  // users.create and roles.create then answer ALREADY_EXISTS in every dialect.
  await t.server.identity.add('parity@vsphere.local', 'Par1ty-pass');
  await t.server.access.addRole('Parity', ['Task.ViewAll']);
  const started = await http(`${t.url}/api/example/jobs?action=once&vmw-task=true`, { method: 'POST', headers: { 'vmware-api-session-id': ((await session()) as { sessionId: string }).sessionId } });
  finishedTask = started.json as string;
  steps.advance();
  for (let i = 0; i < 200; i++) {
    const admin = (await session()) as { sessionId: string };
    const info = await http(`${t.url}/api/cis/tasks/${encodeURIComponent(finishedTask)}`, { headers: { 'vmware-api-session-id': admin.sessionId } });
    if ((info.json as { status: string }).status === 'SUCCEEDED') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
afterAll(async () => t.close());

describe('the same operation over /api, /rest and JSON-RPC', () => {
  it('has a parity case for every operation in the table', () => {
    expect(t.server.table.operations().map(key).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.keys(CALLS))('%s gives the same result, or the same error', async (name) => {
    const target = t.server.table.operations().find((candidate) => key(candidate) === name)!;
    const call = CALLS[name]!();
    // Each dialect gets its own session, so that delete in one does not affect the other.
    const [api, rest, rpc] = await Promise.all(
      [viaApi, viaRest, viaJsonRpc].map(async (via) => {
        const credentials = call.credentials ?? (await session());
        // run's three steps are released in advance, so the call returns.
        if (name === 'com.example.jobs.run') for (let i = 0; i < 3; i++) steps.advance();
        return via(target, call.input, credentials, call.asTask);
      }),
    );
    if (call.asTask) {
      // A new task id each time; /rest serves no task invocation.
      expect((api as { value: string }).value).toMatch(/:com\.example\.jobs$/);
      expect((rpc as { value: string }).value).toMatch(/:com\.example\.jobs$/);
      expect(rest).toEqual(NO_REST_TASKS);
    } else if (name === 'vapi_auth.sessions.list') {
      // Each dialect's own session is the current one in its answer, and the others' sessions come and go.
      for (const answer of [api, rest, rpc]) expect((answer as { value: { current: boolean }[] }).value.filter((s) => s.current)).toHaveLength(1);
    } else if (name === 'com.vmware.vcenter.authentication.token.issue') {
      // A new access token each time: the same token_info but for the token itself.
      const shape = (answer: Answer | undefined) => ({ value: { ...(answer as { value: object }).value, access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) } });
      expect(api).toEqual(shape({ value: { token_type: 'Bearer', expires_in: 3600, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' } }));
      expect(rest).toEqual(shape(api));
      expect(rpc).toEqual(shape(api));
    } else if (name === 'com.vmware.cis.session.create' || name === 'com.vmware.vcenter.authorization.privilege_checks.latest.get') {
      // A new token, or a marker that moves with every check: the same kind of value, not the same value.
      const kind = name.endsWith('create') ? /^[0-9a-f]{32}$/ : /^\d+$/;
      expect((api as { value: string }).value).toMatch(kind);
      expect((rest as { value: string }).value).toMatch(kind);
      expect((rpc as { value: string }).value).toMatch(kind);
    } else {
      expect(rest).toEqual(api);
      expect(rpc).toEqual(api);
    }
  });

  it.each(Object.keys(CALLS))('%s refuses a call without credentials with the same error, unless it takes no authentication', async (name) => {
    const target = t.server.table.operations().find((candidate) => key(candidate) === name)!;
    const { input, asTask } = CALLS[name]!();
    const api = await viaApi(target, input, {}, asTask);
    if (target.schemes.includes(SCHEMES.none)) {
      for (const answer of [api, await viaRest(target, input, {}), await viaJsonRpc(target, input, {})]) expect(answer).toHaveProperty('value');
      return;
    }
    expect(api).toEqual({ errorType: 'UNAUTHENTICATED' });
    expect(await viaRest(target, input, {}, asTask)).toEqual(asTask ? NO_REST_TASKS : api);
    expect(await viaJsonRpc(target, input, {}, asTask)).toEqual(api);
  });

  it.each(Object.keys(CALLS))('%s refuses an unknown input field with the same error', async (name) => {
    const target = t.server.table.operations().find((candidate) => key(candidate) === name)!;
    const { input, credentials, asTask } = CALLS[name]!();
    const withExtra = { ...input, bogus: 'x' };
    const api = await viaApi(target, withExtra, credentials ?? (await session()), asTask);
    // An operation that reports input mistakes as an error of its own (the token exchange's invalid_request) does so in each.
    expect(api).toEqual({ errorType: target.operation.inputError ? 'declared:invalid_request' : 'UNEXPECTED_INPUT' });
    expect(await viaRest(target, withExtra, credentials ?? (await session()), asTask)).toEqual(asTask ? NO_REST_TASKS : api);
    expect(await viaJsonRpc(target, withExtra, credentials ?? (await session()), asTask)).toEqual(api);
  });
});

describe('the same mistake over /api, /rest and JSON-RPC', () => {
  it('a value of the wrong type is INVALID_ARGUMENT in each', async () => {
    const target = t.server.table.lookup('com.example.jobs', 'run')!;
    const input = { name: 5 };
    for (const via of [viaApi, viaRest, viaJsonRpc]) expect(await via(target, input, await session())).toEqual({ errorType: 'INVALID_ARGUMENT' });
  });

  it('a wrong password is UNAUTHENTICATED in each', async () => {
    const target = t.server.table.lookup('com.vmware.cis.session', 'create')!;
    const credentials = { userName: ADMIN, password: 'nope' };
    for (const via of [viaApi, viaRest, viaJsonRpc]) expect(await via(target, {}, credentials)).toEqual({ errorType: 'UNAUTHENTICATED' });
  });
});
