import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { accessToken, OMIVV } from './helpers/omivv.js';
import { invokeBody } from './helpers/session-dialects.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

interface Seed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

let t: TestServer;
let seeds: Seed[];

beforeAll(async () => {
  t = await startTestServer(new MemoryStore(), { jwt: { limits: NO_CLIENT_LIMITS }, services: [jobsService(new Steps())], tasks: { shutdownGraceMs: 10 } });
  const sessionId = (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string;
  const session = { 'vmware-api-session-id': sessionId };
  const json = { 'content-type': 'application/json' };
  const jwt = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
  seeds = [
    { method: 'POST', path: '/api/session', headers: basic(ADMIN, ADMIN_PASSWORD) },
    { method: 'GET', path: '/api/session', headers: session },
    { method: 'GET', path: '/api/cis/tasks?services=com.example.jobs&status=RUNNING&targets.1.type=Job&targets.1.id=a', headers: session },
    { method: 'GET', path: '/rest/com/vmware/cis/tasks?filter_spec.services.1=com.example.jobs&filter_spec.status.1=RUNNING', headers: session },
    { method: 'GET', path: '/api/vapi/metadata/authentication/service/com.vmware.cis.session', headers: session },
    { method: 'POST', path: '/api/example/jobs?action=plain', headers: session },
    { method: 'POST', path: '/api', headers: json, body: JSON.stringify(invokeBody('com.vmware.cis.session', 'get', { sessionId })) },
    { method: 'GET', path: '/api/cis/tasks?services=com.example.jobs', headers: { authorization: `Bearer ${jwt}` } },
    { method: 'POST', path: `${OMIVV}/logoff`, headers: { authorization: `Bearer ${jwt}` } },
    { method: 'POST', path: `${OMIVV}/login`, headers: json, body: JSON.stringify({ apiUserCredential: { username: 'administrator', domain: '', password: 'x' } }) },
  ];
});
afterAll(async () => t.close());

/** Characters that keep a request line or a header sendable, and some that mean something there. */
const PATH_DAMAGE = ['%', '/', '.', '?', '&', '=', 'x', '[', ']', '~', ':', '%2F', '%00', '..'];
const HEADER_DAMAGE = ['"', ',', '=', ':', 'x', ' ', ';', '\t'];
const BODY_DAMAGE = ['{', '}', '"', '\\', ',', ':', '[', 'x', '\u0000', '\u00e9', '1e999'];

const damage = (text: string, insertable: string[]) =>
  text.length === 0
    ? fc.constantFrom(...insertable)
    : fc.oneof(
        fc.nat(text.length - 1).map((at) => text.slice(0, at)),
        fc.nat(text.length - 1).map((at) => text.slice(0, at) + text.slice(at + 1)),
        fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...insertable)).map(([at, c]) => text.slice(0, at) + c + text.slice(at)),
      );

const damagedRequest = fc.constant(null).chain(() => fc.nat(seeds.length - 1)).chain((index) => {
  const seed = seeds[index]!;
  const headerNames = Object.keys(seed.headers);
  return fc.oneof(
    damage(seed.path, PATH_DAMAGE).filter((path) => path.startsWith('/')).map((path) => ({ ...seed, path })),
    damage(seed.body ?? '', BODY_DAMAGE).map((body) => ({ ...seed, body })),
    fc.constantFrom(...headerNames).chain((name) => damage(seed.headers[name]!, HEADER_DAMAGE).map((value) => ({ ...seed, headers: { ...seed.headers, [name]: value } }))),
  );
});

describe('client mistakes on every dialect', () => {
  it('never get a 5xx: a damaged path, header or body is always a client error (or still a valid request)', async () => {
    await fc.assert(
      fc.asyncProperty(damagedRequest, async (request) => {
        const response = await http(`${t.url}${request.path}`, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
        expect(response.status, `${request.method} ${request.path} → ${response.status} ${response.text.slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});

describe('stack exhaustion', () => {
  it('refuses JSON nested deeper than 256 levels as malformed, on /api and /rest, on JSON-RPC (also in a holder-of-key request) and the OMIVV login', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const hok = `{"jsonrpc":"2.0","method":"invoke","id":"1","params":{"serviceId":"com.vmware.cis.session","operationId":"create","input":{"STRUCTURE":{"operation-input":{}}},"ctx":{"appCtx":{"x":${deep}},"securityCtx":{"schemeId":"com.vmware.vapi.std.security.saml_hok_token","timestamp":{"created":"2020-01-01T00:00:00Z","expires":"2099-01-01T00:00:00Z"},"signatureAlgorithm":"RS256","signature":{"samlToken":"<x/>","value":"AA=="}}}}}`;
    const rpc = await http(`${t.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hok });
    expect(rpc.json).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error.' }, id: null });
    for (const path of ['/api/session', '/rest/com/vmware/cis/session', `${OMIVV}/login`]) {
      const response = await http(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"x":${deep}}` });
      expect(response.status, path).toBe(400);
    }
  });
});
