import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMES, type SchemeId } from '../src/core/schemes.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { accessToken } from './helpers/omivv.js';
import { assertionXml, derOf, sign, testIssuer, type Issuer } from './helpers/saml.js';
import { createSign } from 'node:crypto';
import { canonicalRequest } from '../src/dialects/jsonrpc/canonical-request.js';
import { jobsService, Steps } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, type TestServer } from './helpers/test-server.js';

const META = '/api/vapi/metadata/authentication';
let t: TestServer;
let headers: Record<string, string>;
let issuer: Issuer | undefined;
let holder: Issuer | undefined;

async function start(authDefinition?: string, withSaml = false): Promise<void> {
  issuer = withSaml ? await testIssuer() : undefined;
  holder = withSaml ? await testIssuer('holder') : undefined;
  t = await startTestServer(new MemoryStore(), {
    // Every operation is probed with a fresh token: more than the OMIVV limits allow in a minute.
    jwt: { limits: NO_CLIENT_LIMITS },
    services: [jobsService(new Steps())],
    tasks: { shutdownGraceMs: 10 },
    ...(authDefinition ? { authDefinition: { text: authDefinition, file: 'auth.yaml' } } : {}),
    ...(issuer ? { saml: { trustedCertificates: [issuer.cert] } } : {}),
  });
  headers = { 'vmware-api-session-id': (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string };
}
afterEach(async () => t.close());

/** A definition that moves schemes at every level, so that both sides must follow it. */
const DEFINITION = `
packages:
  com.vmware.vapi: [session_id]
services:
  com.vmware.cis.tasks: [session_id]
  com.example.jobs: [oauth, session_id]
operations:
  com.vmware.cis.session.create: [user_pass]
  com.example.jobs.plain: [oauth]
`;

type Info = { schemes: { scheme: SchemeId }[] };

async function read<T>(path: string): Promise<T | undefined> {
  const response = await http(`${t.url}${META}${path}`, { headers });
  if (response.status === 404) return undefined;
  expect(response.status, path).toBe(200);
  return response.json as T;
}

/** The schemes a client computes from the metadata: operation's, else service's, else the longest covering package's. */
async function publishedSchemes(serviceId: string, operationId: string): Promise<SchemeId[]> {
  const operation = await read<Info>(`/service/${serviceId}/operation/${operationId}`);
  if (operation) return operation.schemes.map((s) => s.scheme);
  const service = await read<Info>(`/service/${serviceId}`);
  if (service && service.schemes.length > 0) return service.schemes.map((s) => s.scheme);
  const packages = (await read<string[]>('/package'))!;
  const pkg = serviceId.slice(0, serviceId.lastIndexOf('.'));
  const covering = packages.filter((id) => pkg === id || pkg.startsWith(`${id}.`)).sort((a, b) => b.length - a.length)[0];
  return covering ? (await read<Info>(`/package/${covering}`))!.schemes.map((s) => s.scheme) : [];
}

/** A fresh, valid credential of each kind this server can check. */
async function credentialOf(scheme: SchemeId): Promise<Record<string, string>> {
  switch (scheme) {
    case SCHEMES.userPass:
      return { schemeId: scheme, userName: ADMIN, password: ADMIN_PASSWORD };
    case SCHEMES.sessionId:
      return { schemeId: scheme, sessionId: (await http(`${t.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) })).json as string };
    case SCHEMES.samlBearer:
      return { schemeId: scheme, samlToken: sign(assertionXml({ notBefore: t.clock.now() - 60_000, notOnOrAfter: t.clock.now() + 3_600_000 }), issuer!) };
    case SCHEMES.none:
      return {};
    default:
      return { schemeId: scheme, accessToken: await accessToken(t.url, 'administrator', ADMIN_PASSWORD) };
  }
}

/** A holder-of-key security context: the token, and the holder's signature over the canonical request. */
function holderOfKey(body: { params: { ctx: { securityCtx: Record<string, unknown> } } }): void {
  const now = t.clock.now();
  const token = sign(
    assertionXml({ notBefore: now - 60_000, notOnOrAfter: now + 3_600_000, method: 'holder-of-key', holderCertificate: derOf(holder!.cert) }),
    issuer!,
  );
  body.params.ctx.securityCtx = {
    schemeId: SCHEMES.samlHok,
    timestamp: { created: new Date(now).toISOString(), expires: new Date(now + 600_000).toISOString() },
    signatureAlgorithm: 'RS256',
  };
  const value = createSign('sha256').update(canonicalRequest(body)).sign(holder!.key, 'base64');
  body.params.ctx.securityCtx.signature = { samlToken: token, value };
}

/** Whether the server lets the call past authentication (any answer but UNAUTHENTICATED). */
async function accepts(serviceId: string, operationId: string, scheme: SchemeId): Promise<boolean> {
  const body = {
    jsonrpc: '2.0',
    method: 'invoke',
    id: '1',
    params: {
      serviceId,
      operationId,
      input: { STRUCTURE: { 'operation-input': {} } },
      ctx: { appCtx: {}, securityCtx: scheme === SCHEMES.samlHok ? {} : await credentialOf(scheme) },
    },
  };
  if (scheme === SCHEMES.samlHok) holderOfKey(body);
  const response = await http(`${t.url}/api`, { method: 'POST', body });
  const error = (response.json as { result?: { error?: { ERROR: Record<string, unknown> } } }).result?.error?.ERROR;
  return !error || !Object.keys(error)[0]!.endsWith('.unauthenticated');
}

describe('enforcement and metadata', () => {
  const configurations = [
    ['built-in declarations', undefined, false],
    ['an authentication definition file', DEFINITION, false],
    ['SAML bearer tokens on', undefined, true],
  ] as const;
  for (const [name, definition, withSaml] of configurations) {
  it(`agree for every operation under ${name}: the schemes accepted are exactly the schemes published`, async () => {
    await start(definition, withSaml);
    // No credentials at all probes no_authentication (the token exchange, which exists where SAML and JWT tokens are both on).
    const probed: SchemeId[] = [SCHEMES.none, SCHEMES.userPass, SCHEMES.sessionId, SCHEMES.oauth, ...(withSaml ? [SCHEMES.samlBearer, SCHEMES.samlHok] : [])];
    const operations = t.server.table.operations();
    expect(operations.length).toBeGreaterThan(15);
    expect(operations.some(({ service }) => service.id === 'com.vmware.vcenter.authentication.token')).toBe(withSaml);
    for (const { service, operation } of operations) {
      const operationId = operation.task === 'task_only' ? `${operation.id}$task` : operation.id;
      const published = await publishedSchemes(service.id, operation.id);
      const accepted: SchemeId[] = [];
      for (const scheme of probed) if (await accepts(service.id, operationId, scheme)) accepted.push(scheme);
      // An operation that takes no authentication takes any credentials too: it does not read them.
      const expected = published.includes(SCHEMES.none) ? probed : published.filter((s) => probed.includes(s));
      expect(accepted.sort(), `${service.id}.${operation.id}`).toEqual([...expected].sort());
      expect(published.every((s) => probed.includes(s)), `${service.id}.${operation.id} publishes a scheme the server cannot check`).toBe(true);
    }
  });
  }

  it('follow the definition file: what it moves, the server enforces and the metadata reports', async () => {
    await start(DEFINITION);
    const tasks = (await http(`${t.url}${META}/service/com.vmware.cis.tasks`, { headers })).json as Info;
    expect(tasks.schemes.map((s) => s.scheme)).toEqual([SCHEMES.sessionId]);
    const token = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect((await http(`${t.url}/api/cis/tasks?services=x`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await http(`${t.url}/api/cis/tasks?services=x`, { headers })).status).toBe(200);
    expect((await http(`${t.url}/api/example/jobs?action=plain`, { method: 'POST', headers })).status).toBe(401);
    expect((await http(`${t.url}/api/example/jobs?action=plain`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
