import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralStsKeys } from '../src/sso/sts-keys.js';
import type { Store } from '../src/store/store.js';
import { http } from './helpers/http.js';
import { bearer, callWithBearer, omivvLogin } from './helpers/omivv.js';
import { apiDialect, jsonRpcDialect, restDialect, sessionDialects } from './helpers/session-dialects.js';
import { signedHeader, signHeader, testIssuer } from './helpers/saml.js';
import { envelope, requestSecurityToken, signedEnvelope } from './helpers/ws-security.js';
import { freePort } from './helpers/processes.js';
import { passwordOf, SERVICE_PASSWORD, slapdAvailable, sourcesFileFor, startSlapd, type SlapdProcess, type SourceOptions } from './helpers/slapd.js';
import { ADMIN, ADMIN_PASSWORD, NO_CLIENT_LIMITS, startTestServer, storeFactories, type TestServer } from './helpers/test-server.js';

const GROUP_REFRESH_MS = 60_000;
const RETRY_INTERVAL_MS = 10_000;
const TASKS = '/api/cis/tasks?services=com.example.none';
const PRIVILEGE_CHECKS = '/api/vcenter/authorization/privilege-checks/latest';

let slapd: SlapdProcess;
const open: TestServer[] = [];

beforeAll(async () => {
  if (slapdAvailable()) slapd = await startSlapd();
});
afterAll(async () => slapd?.destroy());
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** A server with the test directory as identity source, group permissions given, the STS and OMIVV login on. */
async function start(store: Store = new MemoryStore(), sources: SourceOptions = {}, log?: string[]): Promise<TestServer> {
  const logStream = log && new Writable({ write: (chunk: Buffer, _encoding, done) => (log.push(chunk.toString('utf8')), done()) });
  const t = await startTestServer(store, {
    identitySources: sourcesFileFor(slapd, sources),
    groupRefreshMs: GROUP_REFRESH_MS,
    sts: { keys: await ephemeralStsKeys() },
    jwt: { limits: NO_CLIENT_LIMITS },
    ...(logStream ? { logLevel: 'info', logStream } : {}),
  });
  open.push(t);
  await t.server.access.grant('admins@example.com', 'Administrator', true);
  await t.server.access.grant('platform@example.com', 'ReadOnly', true);
  // dave is an Admins member; his own permission wins.
  await t.server.access.grant('dave@example.com', 'NoAccess');
  return t;
}

/** The test password of a user named in any form (`ann@example.com`, `EXAMPLE\\ann`). */
const passwordFor = (user: string) => passwordOf(user.replace(/^.*\\|@.*$/g, ''));

async function login(t: TestServer, user: string, password = passwordFor(user)): Promise<string> {
  const created = await apiDialect.create(t.url, { userName: user, password });
  if (!created.ok) throw new Error(`login of ${user} failed: ${created.errorType}`);
  return created.value as string;
}

/** A WS-Trust Issue request with the user's password in a UsernameToken. */
function stsIssue(t: TestServer, user: string) {
  const now = t.clock.now();
  return http(`${t.url}/sts/STSService/vsphere.local`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: envelope(requestSecurityToken({ expires: now + 600_000, delegatable: true }), { user, password: passwordFor(user), now }),
  });
}

const withSession = (t: TestServer, path: string, session: string) => http(`${t.url}${path}`, { headers: { 'vmware-api-session-id': session } });

describe.skipIf(!slapdAvailable())('directory users (LDAP identity source)', () => {
  describe.each(storeFactories())('on the $kind store', ({ open: openStore }) => {
    it('log in on /api, /rest and JSON-RPC as user@domain and DOMAIN\\user, without any local record', async () => {
      const t = await start(await openStore());
      for (const dialect of sessionDialects) {
        for (const userName of ['ann@example.com', 'EXAMPLE\\ann', 'Ann@EXAMPLE.COM']) {
          const created = await dialect.create(t.url, { userName, password: passwordOf('ann') });
          expect(created.ok, `${dialect.name} ${userName}`).toBe(true);
          const got = await dialect.get(t.url, { sessionId: created.ok ? (created.value as string) : '' });
          expect(got.ok && (got.value as { user: string }).user, dialect.name).toBe('ann@EXAMPLE.COM');
        }
      }
      expect(await t.server.identity.list()).toHaveLength(2);
    });

    it('give directory groups their roles, nested groups included, and let a user permission win', async () => {
      const t = await start(await openStore());
      const [ann, bob, carol, dave] = await Promise.all(['ann@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'].map((user) => login(t, user)));
      // ann: Admins → Administrator; bob: Operators, inside Platform → ReadOnly; carol: no group; dave: Admins, but NoAccess of his own.
      expect((await withSession(t, PRIVILEGE_CHECKS, ann!)).status).toBe(200);
      expect((await withSession(t, TASKS, bob!)).status).toBe(200);
      expect((await withSession(t, PRIVILEGE_CHECKS, bob!)).status).toBe(403);
      expect((await withSession(t, TASKS, carol!)).status).toBe(403);
      expect((await withSession(t, TASKS, dave!)).status).toBe(403);
    });

    it('read the groups of a live session again after the refresh interval: a membership change reaches it', async () => {
      const t = await start(await openStore());
      const user = `refresh-${t.server.store.kind}`;
      const dn = `uid=${user},ou=people,dc=example,dc=com`;
      slapd.modify(`dn: ${dn}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: ${user}\ncn: ${user}\nsn: ${user}\nuserPassword: ${passwordOf(user)}\n`);
      const session = await login(t, `${user}@example.com`);
      expect((await withSession(t, TASKS, session)).status).toBe(403);
      slapd.modify(`dn: cn=Operators,ou=groups,dc=example,dc=com\nchangetype: modify\nadd: member\nmember: ${dn}\n`);
      expect((await withSession(t, TASKS, session)).status).toBe(403);
      t.clock.advance(GROUP_REFRESH_MS);
      expect((await withSession(t, TASKS, session)).status).toBe(200);
      slapd.modify(`dn: cn=Operators,ou=groups,dc=example,dc=com\nchangetype: modify\ndelete: member\nmember: ${dn}\n`);
      t.clock.advance(GROUP_REFRESH_MS);
      expect((await withSession(t, TASKS, session)).status).toBe(403);
    });
  });

  it('take a bare name in the default domain when the sources file makes the directory the default', async () => {
    const t = await start(new MemoryStore(), { defaultDomain: 'EXAMPLE' });
    expect((await jsonRpcDialect.create(t.url, { userName: 'ann', password: passwordOf('ann') })).ok).toBe(true);
    expect((await restDialect.create(t.url, { userName: ADMIN, password: ADMIN_PASSWORD })).ok).toBe(true);
  });

  it('refuse a wrong password, an empty password and an unknown user with the one 401', async () => {
    const t = await start();
    for (const [userName, password] of [
      ['ann@example.com', 'wrong'],
      ['ann@example.com', ''],
      ['nobody@example.com', passwordOf('ann')],
      ['ann@other.example', passwordOf('ann')],
    ] as const) {
      const created = await apiDialect.create(t.url, { userName, password });
      expect(created.ok ? 201 : created.response.status, userName).toBe(401);
    }
  });

  it('stop the sessions of a user the directory no longer has, at the next refresh', async () => {
    const t = await start();
    slapd.modify('dn: uid=erin,ou=people,dc=example,dc=com\nchangetype: add\nobjectClass: inetOrgPerson\nuid: erin\ncn: erin\nsn: erin\nuserPassword: erin-Pa55\n');
    const erin = await login(t, 'erin@example.com');
    slapd.modify('dn: uid=erin,ou=people,dc=example,dc=com\nchangetype: delete\n');
    expect((await withSession(t, '/api/session', erin)).status).toBe(200);
    t.clock.advance(GROUP_REFRESH_MS);
    expect((await withSession(t, '/api/session', erin)).status).toBe(401);
  });

  describe('LDAP filter injection', () => {
    it('is refused: names with *, parentheses, backslashes and NUL match nobody, whatever the password', async () => {
      const t = await start();
      const names = ['*', '*@example.com', 'ann*@example.com', 'a*@example.com', '*)(uid=*@example.com', 'ann)(|(uid=*@example.com', 'ann)(objectClass=*@example.com', '\\00@example.com', 'ann\\00@example.com', '*))%00@example.com', 'EXAMPLE\\*'];
      for (const userName of names) {
        for (const password of [passwordOf('ann'), '*', '']) {
          const created = await apiDialect.create(t.url, { userName, password });
          expect(created.ok ? 201 : created.response.status, `${userName} / ${password}`).toBe(401);
        }
      }
      expect(await login(t, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('of a password cannot bind anonymously: an empty or wildcard password never logs in', async () => {
      const t = await start();
      for (const password of ['', '*', '\u0000']) {
        const created = await apiDialect.create(t.url, { userName: 'ann@example.com', password });
        expect(created.ok ? 201 : created.response.status).toBe(401);
      }
    });
  });

  it('lock a directory account after 6 failures, before asking the directory again', async () => {
    const t = await start();
    for (let i = 0; i < 6; i++) expect((await apiDialect.create(t.url, { userName: 'EXAMPLE\\bob', password: 'wrong' })).ok).toBe(false);
    // Locked: refused without a bind, so a frozen directory makes no difference (it would be a 503).
    slapd.freeze();
    try {
      const created = await apiDialect.create(t.url, { userName: 'bob@example.com', password: passwordOf('bob') });
      expect(created.ok ? 201 : created.response.status).toBe(401);
    } finally {
      slapd.thaw();
    }
    t.clock.advance(60_000);
    expect(await login(t, 'bob@example.com')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('issue STS tokens to directory users with their groups, which open sessions with the groups’ roles', async () => {
    const t = await start();
    const response = await stsIssue(t, 'EXAMPLE\\ann');
    expect(response.status).toBe(200);
    const assertion = response.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
    expect(assertion).toContain('>ann@example.com</saml2:NameID>');
    expect(assertion).toContain('Name="http://rsa.com/schemas/attr-names/2009/01/GroupIdentity"');
    expect(assertion).toContain('>EXAMPLE.COM\\admins</saml2:AttributeValue>');
    const created = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(assertion) } });
    expect(created.status).toBe(201);
    expect((await withSession(t, PRIVILEGE_CHECKS, created.json as string)).status).toBe(200);
  });

  it('renew a directory user’s holder-of-key token with the groups the directory has now', async () => {
    const t = await start();
    t.clock.set(Date.now()); // the signed requests' timestamps and the server agree on the time
    const holder = await testIssuer('holder');
    const user = 'hok-user';
    const dn = `uid=${user},ou=people,dc=example,dc=com`;
    slapd.modify(`dn: ${dn}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: ${user}\ncn: ${user}\nsn: ${user}\nuserPassword: ${passwordOf(user)}\n`);
    slapd.modify(`dn: cn=Admins,ou=groups,dc=example,dc=com\nchangetype: modify\nadd: member\nmember: ${dn}\n`);
    const sts = (body: string) => http(`${t.url}/sts/STSService/vsphere.local`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
    const now = t.clock.now();
    const issued = await sts(signedEnvelope(requestSecurityToken({ keyType: 'PublicKey', expires: now + 600_000, renewable: true }), holder, { user: `EXAMPLE\\${user}`, password: passwordOf(user), now }));
    expect(issued.status).toBe(200);
    const token = issued.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
    expect(token).toContain('>EXAMPLE.COM\\admins<');
    slapd.modify(`dn: cn=Admins,ou=groups,dc=example,dc=com\nchangetype: modify\ndelete: member\nmember: ${dn}\n`);
    const renewed = await sts(signedEnvelope(requestSecurityToken({ requestType: 'Renew', renewTarget: token, expires: now + 600_000 }), holder, { now }));
    expect(renewed.status).toBe(200);
    const renewedToken = renewed.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
    expect(renewedToken).toContain(`>${user}@example.com</saml2:NameID>`);
    expect(renewedToken).not.toContain('admins');
    const port = new URL(t.url).port;
    const session = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signedHeader(renewedToken, holder, { method: 'POST', path: '/api/session', host: '127.0.0.1', port }) } });
    expect(session.status).toBe(201);
    expect((await withSession(t, PRIVILEGE_CHECKS, session.json as string)).status).toBe(403);
  });

  it('exchange a directory user’s SAML token for an access token and back, the groups’ roles carried through', async () => {
    const t = await start();
    const assertion = (await stsIssue(t, 'EXAMPLE\\ann')).text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
    const exchange = (spec: Record<string, string>) => http(`${t.url}/api/vcenter/authentication/token`, { method: 'POST', body: { spec } });
    const grant_type = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const toJwt = await exchange({ grant_type, subject_token: Buffer.from(assertion).toString('base64url'), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' });
    expect(toJwt.status, toJwt.text).toBe(200);
    const jwt = (toJwt.json as { access_token: string }).access_token;
    // An Administrator by the Admins group only.
    expect((await http(`${t.url}${PRIVILEGE_CHECKS}`, { headers: bearer(jwt) })).status).toBe(200);
    const toSaml = await exchange({ grant_type, subject_token: jwt, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    expect(toSaml.status, toSaml.text).toBe(200);
    const xml = Buffer.from((toSaml.json as { access_token: string }).access_token, 'base64url').toString('utf8');
    expect(xml).toContain('>EXAMPLE.COM\\admins</saml2:AttributeValue>');
    const created = await http(`${t.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(xml) } });
    expect(created.status).toBe(201);
    expect((await withSession(t, PRIVILEGE_CHECKS, created.json as string)).status).toBe(200);
  });

  it('let the OMIVV login give tokens to directory Administrators (by a group permission) only', async () => {
    const t = await start();
    const ann = await omivvLogin(t.url, 'ann', passwordOf('ann'), 'example.com');
    expect(ann.status).toBe(200);
    const token = (ann.json as { accessToken: string }).accessToken;
    expect((await callWithBearer(t.url, token)).status).toBe(200);
    expect((await http(`${t.url}${PRIVILEGE_CHECKS}`, { headers: bearer(token) })).status).toBe(200);
    // A right password of a user who is no Administrator: known, but not allowed.
    expect((await omivvLogin(t.url, 'bob', passwordOf('bob'), 'example.com')).status).toBe(403);
    await t.server.access.revoke('admins@example.com', true);
    expect((await callWithBearer(t.url, token)).status).toBe(403);
  });

  it('never log the bind password or a user password', async () => {
    const log: string[] = [];
    const t = await start(new MemoryStore(), { urls: [`ldap://127.0.0.1:${await freePort()}`, slapd.ldapUrl] }, log);
    await login(t, 'ann@example.com');
    await apiDialect.create(t.url, { userName: 'ann@example.com', password: 'Wr0ng-secret' });
    const text = log.join('');
    expect(text).toContain('directory server did not answer');
    for (const secret of [SERVICE_PASSWORD, passwordOf('ann'), 'Wr0ng-secret']) expect(text).not.toContain(secret);
  });

  describe('faults', () => {
    it('fail over to the next URL when the first does not answer', async () => {
      const t = await start(new MemoryStore(), { urls: [`ldap://127.0.0.1:${await freePort()}`, slapd.ldapUrl] });
      expect(await login(t, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
      expect(await login(t, 'EXAMPLE\\bob')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('speak TLS: ldaps:// and StartTLS with the configured CA', async () => {
      const ldaps = await start(new MemoryStore(), { urls: [slapd.ldapsUrl] });
      expect(await login(ldaps, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
      const startTls = await start(new MemoryStore(), { startTls: true });
      expect(await login(startTls, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('answer 503 while the directory is down, keep local users and live sessions working, and serve again once it is back', async () => {
      const t = await start();
      const ann = await login(t, 'ann@example.com');
      await slapd.stop();
      try {
        for (const dialect of sessionDialects) {
          const refused = await dialect.create(t.url, { userName: 'bob@example.com', password: passwordOf('bob') });
          expect(refused.ok ? 'created' : refused.errorType, dialect.name).toBe('SERVICE_UNAVAILABLE');
        }
        expect((await apiDialect.create(t.url, { userName: 'bob@example.com', password: passwordOf('bob') })).response.status).toBe(503);
        expect((await omivvLogin(t.url, 'ann', passwordOf('ann'), 'example.com')).status).toBe(503);
        expect((await stsIssue(t, 'bob@example.com')).status).toBe(503);
        expect(await login(t, ADMIN, ADMIN_PASSWORD)).toMatch(/^[0-9a-f]{32}$/);
        // The live session keeps its groups while they cannot be read again.
        t.clock.advance(GROUP_REFRESH_MS);
        expect((await withSession(t, PRIVILEGE_CHECKS, ann)).status).toBe(200);
      } finally {
        await slapd.start();
      }
      t.clock.advance(RETRY_INTERVAL_MS);
      expect(await login(t, 'bob@example.com')).toMatch(/^[0-9a-f]{32}$/);
      expect((await withSession(t, PRIVILEGE_CHECKS, ann)).status).toBe(200);
    });

    it('re-establish the service connection after the directory restarted between two logins', async () => {
      const t = await start();
      expect(await login(t, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
      await slapd.stop();
      await slapd.start();
      // The pooled connection died with the old process: the next login binds a new one, and finds bob.
      expect(await login(t, 'bob@example.com')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('answer 503 when the directory is too slow (a frozen slapd), within the configured timeout', async () => {
      const t = await start();
      slapd.freeze();
      try {
        const refused = await apiDialect.create(t.url, { userName: 'ann@example.com', password: passwordOf('ann') });
        expect(refused.ok ? 'created' : refused.errorType).toBe('SERVICE_UNAVAILABLE');
        expect(await login(t, ADMIN, ADMIN_PASSWORD)).toMatch(/^[0-9a-f]{32}$/);
      } finally {
        slapd.thaw();
      }
      t.clock.advance(RETRY_INTERVAL_MS);
      expect(await login(t, 'ann@example.com')).toMatch(/^[0-9a-f]{32}$/);
    });
  });
});

