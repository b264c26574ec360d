import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { systemClock } from '../../src/core/clock.js';
import type { ServiceDefinition } from '../../src/core/operations.js';
import { createServer, type VapiServer } from '../../src/server.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { selfSignedCertificate } from '../../src/tls/self-signed.js';
import { ADMIN, ADMIN_PASSWORD, addUser } from './test-server.js';

export const CHROMIUM = '/usr/bin/chromium';
const MISSING = `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`;

/** Whether the browser tests run: without Chromium they are skipped, except under CI=true, where that fails. */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM);
  if (!found && process.env.CI) throw new Error(MISSING);
  return found;
}

/**
 * Debian's Chromium, headless. Playwright gives every launch a fresh temporary profile
 * (--user-data-dir) and removes it on close.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsoleServer {
  server: VapiServer;
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** The server's certificate (PEM), for requests made outside the browser. */
  ca: string;
  close(): Promise<void>;
}

/**
 * A server over HTTPS (a self-signed certificate: the console's cookies are Secure) on the real
 * clock, with an audit trail, the administrator and `reader@vsphere.local` (ReadOnly, password `Read0nly`).
 */
export async function startConsoleServer(services: readonly ServiceDefinition[] = []): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-console-'));
  const tls = await selfSignedCertificate(dir, '127.0.0.1');
  // An audit listener gives the server an audit trail, which the Audit page reads.
  const server = createServer({ store: new MemoryStore(), clock: systemClock, logLevel: 'silent', https: { cert: tls.cert, key: tls.key }, services, onAuditEvent: () => undefined });
  await addUser(server, ADMIN, ADMIN_PASSWORD, 'Administrator');
  await addUser(server, 'reader@vsphere.local', 'Read0nly', 'ReadOnly');
  const url = await server.listen('127.0.0.1', 0);
  return {
    server,
    url,
    ca: tls.cert,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser context of its own (its own cookies) that trusts the test certificate. */
export async function newConsolePage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  // A step that cannot happen fails the test in seconds, not at the test's own timeout.
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/** Opens the console and logs in through its form. */
export async function logIn(page: Page, url: string, user: string, password: string): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}
