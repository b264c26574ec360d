import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '../src/core/schemes.js';
import { operationInput, t } from '../src/core/types.js';
import type { ServiceDefinition } from '../src/core/operations.js';
import { chromiumAvailable, launchChromium, logIn, newConsolePage, startConsoleServer, type ConsoleServer } from './helpers/console-browser.js';
import { http } from './helpers/http.js';
import { Steps, jobsService } from './helpers/task-services.js';
import { ADMIN, ADMIN_PASSWORD } from './helpers/test-server.js';

const run = chromiumAvailable();

/** A scripted call that needs a privilege no base role holds. */
const hostsService: ServiceDefinition = {
  id: 'com.example.hosts',
  schemes: [SCHEMES.sessionId],
  operations: [
    {
      id: 'reboot',
      input: operationInput({ host: t.string }),
      output: t.string,
      errors: [],
      privileges: ['Host.Config.Maintenance'],
      api: { method: 'POST', path: '/example/hosts/{host}', action: 'reboot' },
      handler: async ({ host }: { host: string }) => `rebooted ${host}`,
    },
  ],
};

/** Basic credentials for `/api`. */
function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe.runIf(run)('the console in Chromium', () => {
  let browser: Browser;
  let server: ConsoleServer;
  const steps = new Steps();

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), startConsoleServer([jobsService(steps), hostsService])]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A session id from `/api`, as a script holds it. */
  async function apiSession(user: string, password: string): Promise<string> {
    const created = await http(`${server.url}/api/session`, {
      method: 'POST',
      headers: { authorization: basic(user, password) },
      ca: server.ca,
    });
    expect(created.status).toBe(201);
    return created.json as string;
  }

  /** Runs `body` on a page of a fresh context; the page must not break the Content-Security-Policy. */
  async function withPage<T>(body: (page: Page) => Promise<T>): Promise<T> {
    const { context, page } = await newConsolePage(browser);
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    try {
      const result = await body(page);
      expect(violations).toEqual([]);
      return result;
    } finally {
      await context.close();
    }
  }

  it('logs in with the form; a refused login shows its message as an alert', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.url}/ui/`);
      await page.getByLabel('User name').fill(ADMIN);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('Authentication required');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      expect(await page.locator('header .me').textContent()).toBe('administrator@VSPHERE.LOCAL');
    });
  });

  it("shows a running task's progress bar moving, and cancels it", async () => {
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      const session = await apiSession(ADMIN, ADMIN_PASSWORD);
      const started = await http(`${server.url}/api/example/jobs?action=run&vmw-task=true`, {
        method: 'POST',
        headers: { 'vmware-api-session-id': session },
        body: { name: 'nightly' },
        ca: server.ca,
      });
      expect(started.status).toBe(202);
      const row = page.locator(`tr[data-task="${started.json as string}"]`);
      await page.getByRole('link', { name: 'Tasks' }).click();
      await expect.poll(() => row.locator('td.status').textContent(), { timeout: 10_000 }).toContain('RUNNING');
      const bar = row.locator('progress');
      expect(await bar.getAttribute('value')).toBe('0');
      steps.advance();
      await expect.poll(() => bar.getAttribute('value'), { timeout: 10_000 }).toBe('33');
      await row.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => row.locator('td.status').textContent(), { timeout: 10_000 }).toMatch(/FAILED.*cancel/i);
      await expect(row.getByRole('button', { name: 'Cancel' }).count()).resolves.toBe(0);
    });
  });

  it('explorer: lists the com.vmware.cis.session operations, and "Try it" on GET /session answers 200 with the console session', async () => {
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'API explorer' }).click();
      const tag = page.locator('.opblock-tag-section', { has: page.locator('h3[data-tag="com.vmware.cis.session"]') });
      await tag.waitFor();
      const operations = await tag.locator('.opblock-summary-method, .opblock-summary-path').allTextContents();
      expect(operations.join(' ')).toMatch(/POST\s*\/session.*GET\s*\/session.*DELETE\s*\/session/s);
      const get = tag.locator('.opblock-get');
      await get.locator('.opblock-summary').click();
      await get.getByRole('button', { name: 'Try it out' }).click();
      await get.getByRole('button', { name: 'Execute' }).click();
      const status = get.locator('.live-responses-table tbody .response-col_status').first();
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('200');
      expect(await get.locator('.live-responses-table tbody .response-col_description').first().textContent()).toContain('administrator@VSPHERE.LOCAL');
    });
  });

  it('session theft: the session id is never in a URL, local or session storage, or a cookie a script can read', async () => {
    await withPage(async (page) => {
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      for (const name of ['Tasks', 'Privilege recorder', 'API explorer']) await page.getByRole('link', { name }).click();
      await page.locator('.opblock-tag-section').first().waitFor();
      const cookies = await page.context().cookies();
      const session = cookies.find((cookie) => cookie.name === 'vapi-console-session')!;
      expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/ui' });
      expect(session.value).toMatch(/^[0-9a-f]{32}$/);
      const seen = await page.evaluate<Record<string, string>>(
        '({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), url: location.href, html: document.documentElement.outerHTML })',
      );
      for (const text of [...Object.values(seen), ...urls]) expect(text).not.toContain(session.value);
      // Logging out deletes the session itself, not only the cookie.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      const reused = await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': session.value }, ca: server.ca });
      expect(reused.status).toBe(401);
    });
  });
  it('shows your own session among the live ones', async () => {
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'Sessions' }).click();
      const own = page.locator('tr.current');
      await expect(own.locator('td').first().textContent()).resolves.toBe('administrator@VSPHERE.LOCALthis session');
      expect(await own.locator('td').nth(3).textContent()).toBe('password');
      expect(await own.locator('td').nth(4).textContent()).toBe('127.0.0.1');
      expect(await own.getByRole('button', { name: 'End session' }).count()).toBe(0);
    });
  });

  it("ends another user's sessions: their next API request gets 401, and their console returns to the login", async () => {
    const readerSession = await apiSession('reader@vsphere.local', 'Read0nly');
    const readerGet = () => http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': readerSession }, ca: server.ca });
    expect((await readerGet()).status).toBe(200);
    await withPage(async (readerPage) => {
      await logIn(readerPage, server.url, 'reader@vsphere.local', 'Read0nly');
      await withPage(async (page) => {
        await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
        await page.getByRole('link', { name: 'Sessions' }).click();
        const rows = page.locator('tbody tr', { hasText: 'reader@VSPHERE.LOCAL' });
        await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2); // the script's and the console's
        for (const remaining of [1, 0]) {
          await rows.first().getByRole('button', { name: 'End session' }).click();
          await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(remaining);
        }
      });
      expect((await readerGet()).status).toBe(401);
      await readerPage.getByRole('button', { name: 'Log in' }).waitFor();
    });
  });

  it('creates a role from a recording of a scripted API call and gives it to a user, who can then make that call', async () => {
    const reboot = async () => {
      const session = await apiSession('ops@vsphere.local', 'Ops-pa55word');
      return http(`${server.url}/api/example/hosts/host-7?action=reboot`, { method: 'POST', headers: { 'vmware-api-session-id': session }, ca: server.ca });
    };
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'Users and roles' }).click();
      await page.getByLabel('New user name').fill('ops@vsphere.local');
      await page.getByLabel('New user password').fill('Ops-pa55word');
      await page.getByLabel('New user role').selectOption('ReadOnly');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.locator('tr[data-user="ops@VSPHERE.LOCAL"]').waitFor();

      await page.getByRole('link', { name: 'Privilege recorder' }).click();
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.getByRole('button', { name: 'Stop' }).waitFor();
      expect((await reboot()).status).toBe(403); // the script, as ops, still lacks the privilege
      await page.getByRole('button', { name: 'Stop' }).click();
      const recorded = page.locator('article[data-principal="ops@VSPHERE.LOCAL"]');
      await expect.poll(() => recorded.locator('tbody td').allTextContents(), { timeout: 10_000 }).toEqual(['Host.Config.Maintenance', 'com.example.hosts.reboot']);
      await recorded.getByLabel('Role name for ops@VSPHERE.LOCAL').fill('HostRebooter');
      await recorded.getByRole('button', { name: 'Create role from these privileges' }).click();
      await recorded.getByRole('status').waitFor();

      await page.getByRole('link', { name: 'Users and roles' }).click();
      await page.locator('tr[data-role="HostRebooter"]').waitFor();
      await page.getByLabel('Role of ops@VSPHERE.LOCAL').selectOption('HostRebooter');
      await expect.poll(async () => (await reboot()).status, { timeout: 10_000 }).toBe(200);
    });
    expect((await reboot()).json).toBe('rebooted host-7');
  });

  it('unlocks a locked account and resets its password; edits and removes a role', async () => {
    await server.server.identity.add('locked@vsphere.local', 'Locked-pa55word');
    for (let i = 0; i < 6; i++) {
      await http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic('locked@vsphere.local', 'wrong') }, ca: server.ca });
    }
    const login = (password: string) => http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic('locked@vsphere.local', password) }, ca: server.ca });
    expect((await login('Locked-pa55word')).status).toBe(401);
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'Users and roles' }).click();
      const row = page.locator('tr[data-user="locked@VSPHERE.LOCAL"]');
      await expect.poll(() => row.locator('td').nth(3).textContent(), { timeout: 10_000 }).toBe('locked');
      await row.getByRole('button', { name: 'Unlock' }).click();
      await expect.poll(() => row.locator('td').nth(3).textContent(), { timeout: 10_000 }).toBe('active');
      await row.getByRole('button', { name: 'Reset password' }).click();
      await row.getByLabel('New password').fill('Fresh-pa55word');
      await row.getByRole('button', { name: 'Set password' }).click();
      await row.getByRole('button', { name: 'Reset password' }).waitFor();
      expect((await login('Fresh-pa55word')).status).toBe(201);

      await page.getByRole('button', { name: 'Create role' }).click();
      await page.getByLabel('Role name').fill('Auditor');
      await page.getByLabel('VapiAuth.ReadAudit').check();
      await page.getByRole('button', { name: 'Save role' }).click();
      const role = page.locator('tr[data-role="Auditor"]');
      await expect.poll(() => role.locator('td').nth(1).textContent(), { timeout: 10_000 }).toContain('VapiAuth.ReadAudit');
      await role.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Global.CancelTask').check();
      await page.getByRole('button', { name: 'Save role' }).click();
      await expect.poll(() => role.locator('td').nth(1).textContent(), { timeout: 10_000 }).toContain('Global.CancelTask');
      await role.getByRole('button', { name: 'Remove' }).click();
      await expect.poll(() => role.count(), { timeout: 10_000 }).toBe(0);
    });
  });

  it('a ReadOnly user sees every page read-only: no button to change anything, and the API refuses anyway', async () => {
    await withPage(async (page) => {
      await logIn(page, server.url, 'reader@vsphere.local', 'Read0nly');
      const pages = await page.locator('header nav a').allTextContents();
      expect(pages).toEqual(['Sessions', 'Users and roles', 'Tasks', 'API explorer']);
      // Each page once its rows are there (the reader sees no task: none of its own, no Task.ViewAll), and none shows a control that changes something.
      const loaded = { Sessions: 'tr.current', 'Users and roles': 'tr[data-role="NoAccess"]', Tasks: 'main p:has-text("No tasks")' };
      for (const [name, selector] of Object.entries(loaded)) {
        await page.getByRole('link', { name }).click();
        await page.locator(selector).waitFor();
        expect(await page.locator('main button, main select, main form').count(), name).toBe(0);
      }
      const { token } = (await (await page.request.get(`${server.url}/ui/csrf`)).json()) as { token: string };
      const headers = { 'x-vapi-console-csrf': token };
      const tries = [
        page.request.post(`${server.url}/ui/api/vapi-auth/users`, { headers, data: { user: 'eve@vsphere.local', password: 'Eve-pa55word' } }),
        page.request.put(`${server.url}/ui/api/vapi-auth/permissions/reader%40vsphere.local`, { headers, data: { role: 'Administrator' } }),
        page.request.post(`${server.url}/ui/api/vapi-auth/roles`, { headers, data: { role: 'Mine', privileges: ['System.Read'] } }),
        page.request.get(`${server.url}/ui/api/vcenter/authorization/privilege-checks/latest`, { headers }),
      ];
      for (const answer of await Promise.all(tries)) expect(answer.status(), answer.url()).toBe(403);
    });
  });

  it('a NoAccess user sees nothing but a clear message', async () => {
    await server.server.identity.add('nobody@vsphere.local', 'Nob0dy-pass');
    await server.server.access.grant('nobody@vsphere.local', 'NoAccess');
    await withPage(async (page) => {
      await logIn(page, server.url, 'nobody@vsphere.local', 'Nob0dy-pass');
      expect(await page.getByRole('alert').textContent()).toContain('no access');
      expect(await page.locator('main table').count()).toBe(0);
      expect(await page.locator('header nav a').allTextContents()).toEqual(['API explorer']);
    });
  });
  it('shows the latest audit events, filtered by event and user', async () => {
    const refused = await http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic('mallory@vsphere.local', 'guess') }, ca: server.ca });
    expect(refused.status).toBe(401);
    await withPage(async (page) => {
      await logIn(page, server.url, ADMIN, ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'Audit' }).click();
      await page.locator('tbody tr', { hasText: 'login.success' }).first().waitFor();
      await page.getByLabel('Event').fill('login.failure');
      await page.getByLabel('User').fill('mallory');
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.allTextContents(), { timeout: 10_000 }).toEqual([expect.stringMatching(/login\.failure.*mallory@vsphere\.local.*bad_credentials/)]);
    });
  });
});
