import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { accessToken, callWithBearer, logoff, omivvLogin } from './helpers/omivv.js';
import { processSandbox, runCli, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { redisAvailable, REDIS_MISSING, startRedis, type RedisProcess } from './helpers/redis-server.js';
import { derOf, testIssuer, type Issuer } from './helpers/saml.js';
import { kidOf, samlSession, signerOf, stsToken } from './helpers/sso-client.js';

const PLUGIN = fileURLToPath(new URL('../examples/firmware-update.mjs', import.meta.url));
const ENV = { VAPI_AUTH_ADMIN_PASSWORD: 'Cluster-pw1' };
const ADMIN = 'administrator@vsphere.local';
const run = redisAvailable();
const sandbox = processSandbox('vapi-auth-nodes-');

/** A node: its process and its own data dir (separate machines share nothing but Redis). */
interface Node extends ServerProcess {
  dataDir: string;
}

describe.runIf(run)('three nodes over one Redis, each with its own data dir', () => {
  let redis: RedisProcess;
  let holder: Issuer;
  beforeAll(async () => {
    [redis, holder] = await Promise.all([startRedis({ durable: true }), testIssuer('holder')]);
  });
  afterAll(async () => redis.destroy());
  beforeEach(async () => {
    const client = new Redis(redis.url);
    await client.flushdb();
    client.disconnect();
  });

  const node = async (name: string, args: string[] = []): Promise<Node> => {
    const dataDir = join(sandbox.dataDir, name);
    const started = await startServerProcess(['--http', '--data-dir', dataDir, '--store', redis.url, '--plugin', PLUGIN, '--task-heartbeat', '200ms', ...args], ENV);
    return { ...sandbox.track(started), dataDir };
  };
  const threeNodes = async (args: string[] = []): Promise<Node[]> => Promise.all(['a', 'b', 'c'].map((name) => node(name, args)));
  /** `vapi-auth keys|sts …` on a node, against the cluster's store. */
  const cli = async (on: Node, args: string[]) => {
    const result = await runCli([...args, '--data-dir', on.dataDir, '--store', redis.url]);
    expect(result.stderr).toBe('');
    return result.stdout;
  };
  const jwtFrom = (issuer: Node) => accessToken(issuer.url, 'administrator', 'Cluster-pw1');
  const samlFrom = (issuer: Node, options: { holder?: Issuer } = {}) => stsToken(issuer.url, ADMIN, 'Cluster-pw1', options);
  /** What each node answers to a token: the status of a vAPI call with a JWT, or of Session.create with a SAML token. */
  const jwtStatuses = async (nodes: Node[], token: string) => Promise.all(nodes.map(async (n) => (await callWithBearer(n.url, token)).status));
  const samlStatuses = async (nodes: Node[], token: string, options: { holder?: Issuer } = {}) =>
    Promise.all(nodes.map(async (n) => (await samlSession(n.url, token, options)).status));

  it('share sessions: created on A, used on B, deleted on C, refused on A and B at once', async () => {
    const [a, b, c] = await threeNodes();
    const created = await http(`${a!.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') });
    expect(created.status).toBe(201);
    const headers = { 'vmware-api-session-id': created.json as string };
    expect((await http(`${b!.url}/api/session`, { headers })).status).toBe(200);
    expect((await http(`${c!.url}/api/session`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await http(`${a!.url}/api/session`, { headers })).status).toBe(401);
    expect((await http(`${b!.url}/api/session`, { headers })).status).toBe(401);
  });

  it('share tasks: started on A, seen on B, canceled from C while A runs it', async () => {
    const [a, b, c] = await threeNodes();
    const token = (await http(`${a!.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') })).json as string;
    const headers = { 'vmware-api-session-id': token };
    const started = await http(`${a!.url}/api/example/firmware/host-1?action=apply&vmw-task=true`, { method: 'POST', headers, body: { version: '3.0.0', step_ms: 10_000 } });
    const id = started.json as string;
    const seen = await http(`${b!.url}/api/cis/tasks/${id}`, { headers });
    expect(seen.status).toBe(200);
    expect((seen.json as { status: string }).status).toMatch(/PENDING|RUNNING/);
    expect((await http(`${c!.url}/api/cis/tasks/${id}?action=cancel`, { method: 'POST', headers })).status).toBe(204);
    let status = '';
    let info: Record<string, unknown> = {};
    for (let i = 0; i < 100 && status !== 'FAILED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      info = (await http(`${b!.url}/api/cis/tasks/${id}`, { headers })).json as Record<string, unknown>;
      status = info.status as string;
    }
    expect(info.error).toMatchObject({ error_type: 'CANCELED' });
  });

  it('share token revocation: a JWT logged off on B is refused on C', async () => {
    const [a, b, c] = await threeNodes();
    const token = await jwtFrom(a!);
    expect((await callWithBearer(c!.url, token)).status).toBe(200);
    expect((await logoff(b!.url, token)).status).toBe(200);
    expect((await callWithBearer(c!.url, token)).status).toBe(401);
    expect((await callWithBearer(a!.url, token)).status).toBe(401);
  });

  it('trust each other\'s tokens: a JWT, a SAML bearer and a holder-of-key token from each node work on every node', async () => {
    const nodes = await threeNodes();
    const jwts = await Promise.all(nodes.map(jwtFrom));
    expect(new Set(jwts.map(kidOf)).size).toBe(3); // three data dirs, three signing keys
    for (const token of jwts) expect(await jwtStatuses(nodes, token)).toEqual([200, 200, 200]);
    const bearers = await Promise.all(nodes.map((n) => samlFrom(n)));
    expect(new Set(bearers.map(signerOf)).size).toBe(3);
    for (const token of bearers) expect(await samlStatuses(nodes, token)).toEqual([201, 201, 201]);
    for (const issuer of nodes) {
      const token = await samlFrom(issuer, { holder });
      expect(await samlStatuses(nodes, token, { holder })).toEqual([201, 201, 201]);
    }
  });

  it('exchange tokens on any node for tokens every node takes, and refuse a revoked one on every node', async () => {
    const [a, b, c] = await threeNodes();
    const exchange = (on: Node, fields: Record<string, string>) =>
      http(`${on.url}/api/vcenter/authentication/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const grant_type = 'urn:ietf:params:oauth:grant-type:token-exchange';
    // A SAML token of A's STS for an access token signed by B, which every node takes.
    const saml = Buffer.from(await samlFrom(a!)).toString('base64url');
    const toJwt = await exchange(b!, { grant_type, subject_token: saml, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' });
    expect(toJwt.status, toJwt.text).toBe(200);
    const jwt = (toJwt.json as { access_token: string }).access_token;
    expect(await jwtStatuses([a!, b!, c!], jwt)).toEqual([200, 200, 200]);
    // That access token for a SAML token of C's STS, which every node takes for a session.
    const fields = { grant_type, subject_token: jwt, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', requested_token_type: 'urn:ietf:params:oauth:token-type:saml2' };
    const toSaml = await exchange(c!, fields);
    expect(toSaml.status, toSaml.text).toBe(200);
    const xml = Buffer.from((toSaml.json as { access_token: string }).access_token, 'base64url').toString('utf8');
    expect(signerOf(xml)).not.toBe(signerOf(await samlFrom(a!)));
    expect(await samlStatuses([a!, b!, c!], xml)).toEqual([201, 201, 201]);
    // Logged off on A, the access token is exchanged nowhere.
    expect((await logoff(a!.url, jwt)).status).toBe(200);
    for (const n of [a!, b!, c!]) expect(((await exchange(n, fields)).json as { error: string }).error).toBe('invalid_grant');
  });

  it('show every node\'s keys: the JWKS and the lookup service\'s STS sslTrust on each node', async () => {
    const nodes = await threeNodes();
    const kids = nodes.map((n) => (JSON.parse(readFileSync(join(n.dataDir, 'jwt', 'keys.json'), 'utf8')) as { keys: { kid: string }[] }).keys[0]!.kid);
    const stsCerts = nodes.map((n) => derOf(readFileSync(join(n.dataDir, 'sts', 'signing.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0]));
    const list = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><List xmlns="urn:lookup"><_this type="LookupServiceRegistration">ServiceRegistration</_this><filterCriteria><serviceType><product>com.vmware.cis</product><type>cs.identity</type></serviceType></filterCriteria></List></soap:Body></soap:Envelope>`;
    for (const n of nodes) {
      const jwks = (await http(`${n.url}/.well-known/jwks.json`)).json as { keys: { kid: string; d?: string }[] };
      expect(jwks.keys.map((key) => key.kid).sort()).toEqual([...kids].sort());
      expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
      const lookup = await http(`${n.url}/lookupservice/sdk`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: list });
      expect([...lookup.text.matchAll(/<sslTrust>([^<]+)<\/sslTrust>/g)].map((m) => m[1]).sort()).toEqual([...stsCerts].sort());
    }
  });

  it('see a rotation on one node on every node, without a restart: old tokens keep working, new ones are signed with the new key', async () => {
    const nodes = await threeNodes();
    const [a] = nodes;
    const [oldJwt, oldSaml] = [await jwtFrom(a!), await samlFrom(a!)];
    const kid = (await cli(a!, ['keys', 'rotate'])).match(/New JWT key (\S+)/)![1];
    const fingerprint = (await cli(a!, ['sts', 'rotate'])).match(/New STS certificate (\S+)/)![1];
    for (const n of nodes) expect((await http(`${n.url}/.well-known/jwks.json`)).text).toContain(kid);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the server reads its key file again
    const [newJwt, newSaml] = [await jwtFrom(a!), await samlFrom(a!)];
    expect(kidOf(newJwt)).toBe(kid);
    expect(signerOf(newSaml)).toBe(fingerprint);
    for (const token of [oldJwt, newJwt]) expect(await jwtStatuses(nodes, token)).toEqual([200, 200, 200]);
    for (const token of [oldSaml, newSaml]) expect(await samlStatuses(nodes, token)).toEqual([201, 201, 201]);
  });

  it('refuse the tokens of a key withdrawn on one node on every node at once; its node signs on with a new key', async () => {
    const nodes = await threeNodes();
    const [a, b, c] = nodes;
    const [jwt, saml, hok, otherJwt] = [await jwtFrom(a!), await samlFrom(a!), await samlFrom(a!, { holder }), await jwtFrom(b!)];
    expect(await cli(c!, ['keys', 'revoke', kidOf(jwt)])).toContain(`Withdrew JWT key ${kidOf(jwt)}`);
    expect(await cli(c!, ['sts', 'revoke', signerOf(saml).replaceAll(':', '').toLowerCase()])).toContain(`Withdrew STS certificate ${signerOf(saml)}`);
    expect(await jwtStatuses(nodes, jwt)).toEqual([401, 401, 401]);
    expect(await samlStatuses(nodes, saml)).toEqual([401, 401, 401]);
    expect(await samlStatuses(nodes, hok, { holder })).toEqual([401, 401, 401]);
    expect(await jwtStatuses(nodes, otherJwt)).toEqual([200, 200, 200]); // only the withdrawn key's tokens
    const [freshJwt, freshSaml] = [await jwtFrom(a!), await samlFrom(a!)];
    expect(kidOf(freshJwt)).not.toBe(kidOf(jwt));
    expect(signerOf(freshSaml)).not.toBe(signerOf(saml));
    expect(await jwtStatuses(nodes, freshJwt)).toEqual([200, 200, 200]);
    expect(await samlStatuses(nodes, freshSaml)).toEqual([201, 201, 201]);
    expect((await runCli(['keys', 'revoke', kidOf(jwt), '--data-dir', c!.dataDir, '--store', redis.url])).code).toBe(1); // once is enough
  });

  it('keep every private key out of Redis: no key or value there holds any of one', async () => {
    const nodes = await threeNodes();
    for (const n of nodes) {
      await jwtFrom(n);
      await samlFrom(n);
    }
    await cli(nodes[0]!, ['keys', 'rotate']);
    await cli(nodes[0]!, ['sts', 'rotate']);
    const secrets = nodes.flatMap((n) => {
      const jwt = (JSON.parse(readFileSync(join(n.dataDir, 'jwt', 'keys.json'), 'utf8')) as { keys: { privateJwk: { d: string } }[] }).keys.map((key) => key.privateJwk.d);
      const sts = readFileSync(join(n.dataDir, 'sts', 'signing.pem'), 'utf8').match(/PRIVATE KEY-----([\s\S]+?)-----END/)![1]!.trim().split('\n');
      return [...jwt, ...sts];
    });
    const client = new Redis(redis.url);
    const everything: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const value =
        type === 'string' ? [await client.get(key)]
        : type === 'hash' ? Object.entries(await client.hgetall(key)).flat()
        : type === 'set' ? await client.smembers(key)
        : type === 'zset' ? await client.zrange(key, 0, -1)
        : await client.lrange(key, 0, -1);
      everything.push(key, ...value.map(String));
    }
    client.disconnect();
    const dump = everything.join('\n');
    expect(dump).toContain('BEGIN CERTIFICATE'); // the public halves are there: the scan sees the published keys
    expect(dump).not.toContain('PRIVATE KEY');
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it('lock an account exactly once under 200 concurrent wrong logins spread over the three nodes', async () => {
    // The OMIVV request rates (100 a minute shared, 20 per address) would refuse most of the burst before the password check,
    // and a waiting room for the whole burst lets every guess be checked rather than some refused 503.
    const nodes = await threeNodes(['--omivv-rate', '0', '--omivv-client-rate', '0', '--omivv-max-tokens', '0', '--omivv-max-clients', '0', '--login-queue', '200']);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => omivvLogin(nodes[i % 3]!.url, 'administrator', `wrong-${i}`)),
    );
    expect(responses.every((r) => r.status === 401)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the log lines arrive
    const locks = nodes.reduce((sum, n) => sum + n.output().split('\n').filter((line) => line.includes('"msg":"account locked"')).length, 0);
    expect(locks).toBe(1);
    for (const n of nodes) expect((await omivvLogin(n.url, 'administrator', 'Cluster-pw1')).status).toBe(401);
  });

  it('share the OMIVV client limits: ten live tokens over three nodes, the eleventh refused on each, a logoff on one frees a place on another', async () => {
    const nodes = await threeNodes();
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await accessToken(nodes[i % 3]!.url, 'administrator', 'Cluster-pw1'));
    for (const n of nodes) expect((await omivvLogin(n.url, 'administrator', 'Cluster-pw1')).status).toBe(503);
    expect((await logoff(nodes[0]!.url, tokens[1]!)).status).toBe(200);
    expect((await omivvLogin(nodes[2]!.url, 'administrator', 'Cluster-pw1')).status).toBe(200);
  });

  it('creates the administrator once however many nodes start together', async () => {
    const nodes = await threeNodes();
    const printed = nodes.filter((n) => n.output().includes('with password')).length;
    expect(printed).toBe(0); // the password came from the environment: nothing to print
    const users = await Promise.all(nodes.map((n) => http(`${n.url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Cluster-pw1') })));
    expect(users.map((r) => r.status)).toEqual([201, 201, 201]);
  });
});

if (!run) describe('three nodes over one Redis, each with its own data dir', () => it.skip(REDIS_MISSING, () => undefined));
