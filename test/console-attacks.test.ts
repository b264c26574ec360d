import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_ASSETS_DIR } from '../src/console/console-assets.js';
import type { AuditEvent } from '../src/observability/audit-trail.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { processSandbox, startServerProcess } from './helpers/cli-process.js';
import { http, type HttpResponse } from './helpers/http.js';
import { passwordOf, slapdAvailable, sourcesFileFor, startSlapd } from './helpers/slapd.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const BASIC = basic(ADMIN, ADMIN_PASSWORD);

/** `name=value` of each Set-Cookie of an answer. */
function cookiesOf(response: HttpResponse): Record<string, string> {
  const set = response.headers['set-cookie'] ?? [];
  return Object.fromEntries(set.map((line) => line.split(';', 1)[0]!.split('=') as [string, string]));
}

/** A browser's console login: the CSRF token first, then the password; answers its cookies and token. */
async function consoleLoginTo(url: string, authorization: string) {
  const csrf = await http(`${url}/ui/csrf`);
  const token = (csrf.json as { token: string }).token;
  const csrfCookie = `vapi-console-csrf=${cookiesOf(csrf)['vapi-console-csrf']}`;
  const login = await http(`${url}/ui/api/session`, { method: 'POST', headers: { authorization, cookie: csrfCookie, 'x-vapi-console-csrf': token } });
  expect(login.status).toBe(201);
  expect(login.text).toBe(''); // the session id is in the HttpOnly cookie only
  const sessionId = cookiesOf(login)['vapi-console-session']!;
  expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
  return { token, sessionId, cookie: `${csrfCookie}; vapi-console-session=${sessionId}` };
}

describe('attacks on the console', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer(new MemoryStore());
  });
  afterEach(() => t.close());

  const consoleLogin = () => consoleLoginTo(t.url, BASIC);

  it('cross-site request forgery: a console request without its CSRF token (or with another) is refused and does nothing', async () => {
    const { token, sessionId, cookie } = await consoleLogin();
    const forged = await http(`${t.url}/ui/api/session`, { method: 'DELETE', headers: { cookie, origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect((forged.json as { error_type: string }).error_type).toBe('UNAUTHORIZED');
    const wrong = await http(`${t.url}/ui/api/session`, { method: 'DELETE', headers: { cookie, 'x-vapi-console-csrf': 'a'.repeat(64) } });
    expect(wrong.status).toBe(403);
    // A login forged into the victim's browser is refused as well.
    const forgedLogin = await http(`${t.url}/ui/api/session`, { method: 'POST', headers: { authorization: BASIC } });
    expect(forgedLogin.status).toBe(403);
    // The session survived both attempts; with the token, the same request ends it.
    const session = await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': sessionId } });
    expect(session.status).toBe(200);
    const logout = await http(`${t.url}/ui/api/session`, { method: 'DELETE', headers: { cookie, 'x-vapi-console-csrf': token } });
    expect(logout.status).toBe(204);
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^vapi-console-session=; Path=\/ui; HttpOnly; Secure; SameSite=Strict; Max-Age=0$/);
    expect((await http(`${t.url}/api/session`, { headers: { 'vmware-api-session-id': sessionId } })).status).toBe(401);
  });

  it('cross-site request forgery by another spelling of the path (/ui/%61pi/…, /ui/who%61mi): refused all the same', async () => {
    const { cookie } = await consoleLogin();
    const login = await http(`${t.url}/ui/%61pi/session`, { method: 'POST', headers: { authorization: BASIC } });
    expect(login.status).toBe(403);
    expect((await http(`${t.url}/ui/%61pi/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    expect((await http(`${t.url}/ui/who%61mi`, { headers: { cookie } })).status).toBe(403);
    expect((await http(`${t.url}/ui/%61pi/vapi-auth/users`, { method: 'POST', headers: { cookie }, body: { user: 'eve@vsphere.local', password: 'Eve-pa55word!' } })).status).toBe(403);
  });

  it('repudiation: console logins and logouts are audited like any other, as the console dialect', async () => {
    const events: AuditEvent[] = [];
    t.server.audit.listen((event) => events.push(event));
    const { cookie, token } = await consoleLogin();
    await http(`${t.url}/ui/api/session`, { method: 'DELETE', headers: { cookie, 'x-vapi-console-csrf': token } });
    expect(events.map(({ event, user, dialect, scheme }) => ({ event, user, dialect, scheme }))).toEqual([
      { event: 'login.success', user: 'administrator', dialect: 'console', scheme: 'user_pass' },
      { event: 'logout', user: 'administrator', dialect: 'console', scheme: 'session_id' },
    ]);
  });

  it('session riding: the console cookie is not accepted on /api, JSON-RPC or /rest', async () => {
    const { cookie } = await consoleLogin();
    expect((await http(`${t.url}/api/session`, { headers: { cookie } })).status).toBe(401);
    expect((await http(`${t.url}/rest/com/vmware/cis/session?~action=get`, { method: 'POST', headers: { cookie } })).status).toBe(401);
    const rpc = await http(`${t.url}/api`, {
      method: 'POST',
      headers: { cookie },
      body: { jsonrpc: '2.0', id: '1', method: 'invoke', params: { serviceId: 'com.vmware.cis.session', operationId: 'get', input: { STRUCTURE: { 'operation-input': {} } }, ctx: { appCtx: {} } } },
    });
    expect(JSON.stringify(rpc.json)).toContain('unauthenticated');
  });

  it('session fixation and theft: the session cookie is HttpOnly, Secure, SameSite=Strict and sent below /ui only', async () => {
    const csrf = await http(`${t.url}/ui/csrf`);
    const token = (csrf.json as { token: string }).token;
    const login = await http(`${t.url}/ui/api/session`, {
      method: 'POST',
      headers: { authorization: BASIC, cookie: `vapi-console-csrf=${token}; vapi-console-session=0123456789abcdef0123456789abcdef`, 'x-vapi-console-csrf': token },
    });
    const line = login.headers['set-cookie']!.find((cookie) => cookie.startsWith('vapi-console-session='))!;
    expect(line).toMatch(/^vapi-console-session=[0-9a-f]{32}; Path=\/ui; HttpOnly; Secure; SameSite=Strict$/);
    expect(line).not.toContain('0123456789abcdef0123456789abcdef');
    expect(csrf.headers['set-cookie']![0]).toMatch(/^vapi-console-csrf=[0-9a-f]{64}; Path=\/ui; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('clickjacking: every console answer forbids framing, whatever it is', async () => {
    const { cookie, token } = await consoleLogin();
    const index = readFileSync(join(CONSOLE_ASSETS_DIR, 'index.html'), 'utf8');
    const script = index.match(/src="\/ui\/(assets\/[^"]+\.js)"/)![1]!;
    for (const path of ['/ui/', '/ui/sessions', `/ui/${script}`, '/ui/csrf', '/ui/api/session', '/ui/no-such-page', '/ui/api/no-such-operation']) {
      const answer = await http(`${t.url}${path}`, { headers: { cookie, 'x-vapi-console-csrf': token } });
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
      expect(answer.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
    }
  });

  it('script injection: the CSP allows no inline script or eval, and the built pages have none', async () => {
    const answer = await http(`${t.url}/ui/`);
    expect(answer.status).toBe(200);
    const csp = answer.headers['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(csp).toContain("default-src 'none'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    const scripts = [...answer.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/ui\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(answer.text).not.toMatch(/\son[a-z]+=|javascript:/i);
  });

  it('credential prompt: a console answer never asks the browser for a password (no WWW-Authenticate)', async () => {
    const csrf = await http(`${t.url}/ui/csrf`);
    const token = (csrf.json as { token: string }).token;
    const answer = await http(`${t.url}/ui/api/session`, { headers: { cookie: `vapi-console-csrf=${token}`, 'x-vapi-console-csrf': token } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBeUndefined();
  });

  it('path traversal: a console path names one of the built files or nothing', async () => {
    for (const path of ['/ui/../package.json', '/ui/%2e%2e/%2e%2e/package.json', '/ui/assets/..%2f..%2fpackage.json', '/ui/index.html.map', '/ui//etc/passwd']) {
      const answer = await http(`${t.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.text, path).not.toContain('"name": "vapi-auth"');
    }
  });
});

describe('--no-console', () => {
  const sandbox = processSandbox('vapi-auth-no-console-');

  it('vapi-auth serve --no-console serves no console; without it, the console is there', async () => {
    const args = ['--http', '--store', 'memory', '--data-dir', sandbox.dataDir];
    const off = sandbox.track(await startServerProcess([...args, '--no-console'], { VAPI_AUTH_ADMIN_PASSWORD: 'C0nsole-off' }));
    expect((await http(`${off.url}/ui/`)).status).toBe(404);
    expect((await http(`${off.url}/api/openapi.json`)).status).toBe(404);
    const on = sandbox.track(await startServerProcess(args, { VAPI_AUTH_ADMIN_PASSWORD: 'C0nsole-off' }));
    expect((await http(`${on.url}/ui/`)).status).toBe(200);
  });

  it('serves no console, no console API and no OpenAPI document', async () => {
    const t = await startTestServer(new MemoryStore(), { console: false });
    try {
      for (const path of ['/ui/', '/ui/csrf', '/ui/api/session', '/api/openapi.json']) expect((await http(`${t.url}${path}`)).status, path).toBe(404);
      expect((await http(`${t.url}/api/session`)).status).toBe(401); // the API itself is served
    } finally {
      await t.close();
    }
  });

  it('with the console on, /api/openapi.json is the document of the whole table, plugins included', async () => {
    const { jobsService, Steps } = await import('./helpers/task-services.js');
    const t = await startTestServer(new MemoryStore(), { services: [jobsService(new Steps())] });
    try {
      const document = (await http(`${t.url}/api/openapi.json`)).json as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toBe('3.0.3');
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/session', '/example/jobs?action=run', '/example/jobs?action=run&vmw-task=true']));
    } finally {
      await t.close();
    }
  });
});

describe.runIf(slapdAvailable())('directory users in the console', () => {
  it('log in with their directory password and get the privileges of their (nested) groups', async () => {
    const slapd = await startSlapd();
    const t = await startTestServer(new MemoryStore(), { identitySources: sourcesFileFor(slapd) });
    try {
      await t.server.access.grant('admins@example.com', 'Administrator', true);
      await t.server.access.grant('platform@example.com', 'ReadOnly', true);
      const whoami = async (user: string) => {
        const { cookie, token } = await consoleLoginTo(t.url, basic(user, passwordOf(user.replace(/^.*\\|@.*$/g, ''))));
        return (await http(`${t.url}/ui/whoami`, { headers: { cookie, 'x-vapi-console-csrf': token } })).json as { user: string; privileges: string[] };
      };
      const ann = await whoami('ann@example.com');
      expect(ann.user).toBe('ann@EXAMPLE.COM');
      expect(ann.privileges).toContain('VapiAuth.ManageUsers');
      expect(await whoami('EXAMPLE\\bob')).toEqual({ user: 'bob@EXAMPLE.COM', privileges: ['System.Anonymous', 'System.Read', 'System.View'] });
    } finally {
      await t.close();
      await slapd.destroy();
    }
  });
});
