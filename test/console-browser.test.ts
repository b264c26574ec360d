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
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      ca: server.ca,
    });
    expect(created.status).toBe(201);
    return created.json as string;
  }

  async function withPage<T>(body: (page: Page) => Promise<T>): Promise<T> {
    const { context, page } = await newConsolePage(browser);
    try {
      return await body(page);
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
      await expect.poll(() => row.locator('td.status').textContent()).toContain('RUNNING');
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
      const seen = await page.evaluate(() => ({
        cookie: document.cookie,
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
        url: location.href,
        html: document.documentElement.outerHTML,
      }));
      for (const text of [...Object.values(seen), ...urls]) expect(text).not.toContain(session.value);
      // Logging out deletes the session itself, not only the cookie.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      const reused = await http(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': session.value }, ca: server.ca });
      expect(reused.status).toBe(401);
    });
  });
});
