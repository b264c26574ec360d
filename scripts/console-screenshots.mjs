// @ts-check
// Takes the screenshots of docs/console.md: a server with the firmware example plugin, a few users,
// sessions, tasks and a recording, each console page in Debian's Chromium. Run after a build:
//   npm run build && node scripts/console-screenshots.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer, MemoryStore } from '../dist/index.js';
import { selfSignedCertificate } from '../dist/tls/self-signed.js';
import firmware from '../examples/firmware-update.mjs';

const OUT = fileURLToPath(new URL('../docs/console/', import.meta.url));
const ADMIN = { name: 'administrator@vsphere.local', password: 'Adm1n-console' };
const OPS = { name: 'ops@vsphere.local', password: 'Ops-pa55word' };

const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-screenshots-'));
const tls = await selfSignedCertificate(dir, '127.0.0.1');
const server = createServer({ store: new MemoryStore(), logLevel: 'silent', https: { cert: tls.cert, key: tls.key }, services: [firmware], onAuditEvent: () => undefined });
await server.identity.add(ADMIN.name, ADMIN.password);
await server.access.grant(ADMIN.name, 'Administrator');
await server.identity.add('reader@vsphere.local', 'Read0nly-pass');
await server.access.grant('reader@vsphere.local', 'ReadOnly');
await server.identity.add(OPS.name, OPS.password);
await server.access.grant(OPS.name, 'ReadOnly');
const url = await server.listen('127.0.0.1', 0);

/**
 * A script's call: log in on `/api`, then one request (over https.request, which trusts the test certificate).
 * @param {{ name: string, password: string }} user @param {string} path @param {{ method?: string, body?: string }} [init]
 * @returns {Promise<{ status: number, json(): Promise<any> }>}
 */
async function call({ name, password }, path, init = {}) {
  const session = await (await send('POST', '/session', { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` })).json();
  return send(init.method ?? 'GET', path, { 'vmware-api-session-id': session, 'content-type': 'application/json' }, init.body);
}

/** @param {string} method @param {string} path @param {Record<string, string>} headers @param {string} [body] */
function send(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api${path}`, { method, headers, ca: tls.cert }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  /** @param {string} name */
  const shot = (name) => page.screenshot({ path: join(OUT, `${name}.png`) });

  await page.goto(`${url}/ui/`);
  await page.getByLabel('User name').fill(ADMIN.name);
  await shot('login');
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();

  await call({ name: 'reader@vsphere.local', password: 'Read0nly-pass' }, '/session');
  await call(ADMIN, '/session');
  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.locator('tr.current').waitFor();
  await sleep(2500);
  await shot('sessions');

  await page.getByRole('link', { name: 'Privilege recorder' }).click();
  await page.getByRole('button', { name: 'Start recording' }).click();
  await page.getByRole('button', { name: 'Stop' }).waitFor();
  await call(OPS, '/example/firmware/host-1?action=apply', { method: 'POST', body: JSON.stringify({ version: '2.0.0', step_ms: 1 }) });
  await page.getByRole('button', { name: 'Stop' }).click();
  const recorded = page.locator('article[data-principal="ops@VSPHERE.LOCAL"]');
  await recorded.getByLabel('Role name for ops@VSPHERE.LOCAL').fill('FirmwareOperator');
  await shot('recorder');
  await recorded.getByRole('button', { name: 'Create role from these privileges' }).click();
  await recorded.getByRole('status').waitFor();

  await page.getByRole('link', { name: 'Users and roles' }).click();
  await page.locator('tr[data-role="FirmwareOperator"]').waitFor();
  await page.getByLabel('Role of ops@VSPHERE.LOCAL').selectOption('FirmwareOperator');
  await sleep(500);
  await shot('users-and-roles');

  await call(OPS, '/example/firmware/host-2?action=apply&vmw-task=true', { method: 'POST', body: JSON.stringify({ version: '2.0.0', step_ms: 200 }) });
  const canceled = await (await call(ADMIN, '/example/firmware/host-1?action=apply&vmw-task=true', { method: 'POST', body: JSON.stringify({ version: '2.1.0', step_ms: 60000 }) })).json();
  await call(ADMIN, `/cis/tasks/${encodeURIComponent(canceled)}?action=cancel`, { method: 'POST' });
  await call(OPS, '/example/firmware/host-1?action=apply&vmw-task=true', { method: 'POST', body: JSON.stringify({ version: '2.0.0', step_ms: 1500 }) });
  await page.getByRole('link', { name: 'Tasks' }).click();
  await sleep(2500);
  await shot('tasks');

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.locator('tbody tr').first().waitFor();
  await shot('audit');

  await page.getByRole('link', { name: 'API explorer' }).click();
  const tag = page.locator('.opblock-tag-section', { has: page.locator('h3[data-tag="com.vmware.cis.session"]') });
  const get = tag.locator('.opblock-get');
  await get.locator('.opblock-summary').click();
  await get.getByRole('button', { name: 'Try it out' }).click();
  await get.getByRole('button', { name: 'Execute' }).click();
  await get.locator('.live-responses-table tbody .response-col_status').first().waitFor();
  await page.locator('.scheme-container').evaluate((element) => element.scrollIntoView());
  await shot('explorer');
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
