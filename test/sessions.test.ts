import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_PASSWORD, addUser, startTestServer, storeFactories, type TestServer } from './helpers/test-server.js';
import { sessionDialects, type Outcome } from './helpers/session-dialects.js';
import { sha256Hex } from '../src/core/secrets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function expectToken(outcome: Outcome): string {
  expect(outcome.ok, JSON.stringify(outcome.ok ? outcome.value : outcome.error)).toBe(true);
  const token = (outcome as { value: unknown }).value;
  expect(token).toMatch(/^[0-9a-f]{32}$/);
  return token as string;
}

function expectUnauthenticated(outcome: Outcome): void {
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) expect(outcome.errorType).toBe('UNAUTHENTICATED');
}

for (const stores of storeFactories()) {
  for (const dialect of sessionDialects) {
    describe(`sessions over ${dialect.name} on the ${stores.kind} store`, () => {
      let t: TestServer;
      beforeEach(async () => {
        t = await startTestServer(await stores.open(), {
          sessions: { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 24 * HOUR, touchIntervalMs: 5_000 },
        });
      });
      afterEach(async () => t.close());
      const admin = { userName: ADMIN, password: ADMIN_PASSWORD };

      it('creates a session, reads it and deletes it', async () => {
        const createdAt = t.clock.now();
        const token = expectToken(await dialect.create(t.url, admin));
        t.clock.advance(1234);
        const info = await dialect.get(t.url, { sessionId: token });
        expect(info.ok).toBe(true);
        expect((info as { value: unknown }).value).toEqual({
          user: 'administrator@VSPHERE.LOCAL',
          created_time: new Date(createdAt).toISOString(),
          last_accessed_time: new Date(createdAt + 1234).toISOString(),
        });
        expect((await dialect.delete(t.url, { sessionId: token })).ok).toBe(true);
        expectUnauthenticated(await dialect.get(t.url, { sessionId: token }));
        expectUnauthenticated(await dialect.delete(t.url, { sessionId: token }));
      });

      it('records the scheme and client address a session was created from', async () => {
        const token = expectToken(await dialect.create(t.url, admin));
        const [session] = await t.server.store.sessions.list(t.clock.now());
        expect(session).toMatchObject({ key: sha256Hex(token), scheme: 'com.vmware.vapi.std.security.user_pass', clientAddress: '127.0.0.1' });
      });

      it('accepts every user name form vSphere clients send', async () => {
        for (const userName of ['administrator@vsphere.local', 'VSPHERE.LOCAL\\administrator', 'Administrator@VSPHERE.LOCAL', 'administrator']) {
          expectToken(await dialect.create(t.url, { userName, password: ADMIN_PASSWORD }));
        }
      });

      it('refuses a wrong password, an unknown user and a foreign domain with one identical error', async () => {
        const wrong = await dialect.create(t.url, { userName: ADMIN, password: 'nope' });
        const unknown = await dialect.create(t.url, { userName: 'nobody@vsphere.local', password: 'nope' });
        const foreign = await dialect.create(t.url, { userName: 'administrator@example.com', password: ADMIN_PASSWORD });
        const none = await dialect.create(t.url, {});
        for (const outcome of [wrong, unknown, foreign, none]) expectUnauthenticated(outcome);
        expect(unknown.response.text).toBe(wrong.response.text);
        expect(foreign.response.text).toBe(wrong.response.text);
        expect(none.response.text).toBe(wrong.response.text);
      });

      it('refuses a token that was never issued, and one that is not even hex', async () => {
        expectUnauthenticated(await dialect.get(t.url, { sessionId: 'f'.repeat(32) }));
        expectUnauthenticated(await dialect.get(t.url, { sessionId: 'not a token' }));
        expectUnauthenticated(await dialect.get(t.url, {}));
      });

      it('does not create a session from a session id', async () => {
        const token = expectToken(await dialect.create(t.url, admin));
        expectUnauthenticated(await dialect.create(t.url, { sessionId: token }));
      });

      it('ends a session after the idle timeout, to the millisecond', async () => {
        const token = expectToken(await dialect.create(t.url, admin));
        t.clock.advance(30 * MINUTE - 1);
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        t.clock.advance(30 * MINUTE - 1);
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        t.clock.advance(30 * MINUTE);
        expectUnauthenticated(await dialect.get(t.url, { sessionId: token }));
      });

      it('ends a busy session at its absolute lifetime', async () => {
        const createdAt = t.clock.now();
        const token = expectToken(await dialect.create(t.url, admin));
        while (t.clock.now() + 20 * MINUTE < createdAt + 24 * HOUR) {
          t.clock.advance(20 * MINUTE);
          expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        }
        t.clock.set(createdAt + 24 * HOUR - 1);
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        t.clock.set(createdAt + 24 * HOUR);
        expectUnauthenticated(await dialect.get(t.url, { sessionId: token }));
      });

      it('keeps idle expiry within the touch interval when requests come faster than it', async () => {
        const token = expectToken(await dialect.create(t.url, admin));
        t.clock.advance(4_000); // inside the 5 s touch interval: not written
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        t.clock.advance(30 * MINUTE - 4_000 - 1);
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true); // written now
        t.clock.advance(30 * MINUTE - 1);
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
      });

      it('ends the sessions of a removed user at once', async () => {
        await addUser(t.server, 'temp@vsphere.local', 'Temp0rary', 'ReadOnly');
        const token = expectToken(await dialect.create(t.url, { userName: 'temp@vsphere.local', password: 'Temp0rary' }));
        expect((await dialect.get(t.url, { sessionId: token })).ok).toBe(true);
        await t.server.identity.remove('temp@vsphere.local');
        expectUnauthenticated(await dialect.get(t.url, { sessionId: token }));
      });

      it('gives a read-only user a session too', async () => {
        const token = expectToken(await dialect.create(t.url, { userName: 'reader@vsphere.local', password: 'Read0nly' }));
        const info = await dialect.get(t.url, { sessionId: token });
        expect((info as { value: { user: string } }).value.user).toBe('reader@VSPHERE.LOCAL');
      });
    });
  }
}
