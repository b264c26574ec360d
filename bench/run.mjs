// npm run bench: every figure is a ratio to a load measured in the same rounds (a bare route, a
// peer, or another configuration), so a slow or busy machine shifts both sides alike. Loads go to
// 127.0.0.1 only, bounded in time (see bench/README.md for what each row measures).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { measureColdStart } from './cold-start.mjs';
import { basic, compare, CONNECTIONS, DURATION, load, loadTogether, login, median, omivvToken, ROUNDS, rounds } from './load.mjs';
import { startProcess, startRedisServer, startVapiAuth } from './processes.mjs';
import { measureSessionMemory } from './session-memory.mjs';
import { buildVcsim, startVcsim, vcsimLogin } from './vcsim.mjs';

/** An operation that needs a privilege (cis.tasks list: System.Read) and takes a session or a JWT. */
const AUTHORIZED = '/api/cis/tasks?services=com.example.none';
const ONE_PROCESS = ['--workers', '1'];
const LOGINS_PER_SECOND = 50;

const sessionGet = (url, token, fixed = {}) => (options = {}) => load(`${url}/api/session`, { headers: { 'vmware-api-session-id': token }, ...fixed, ...options });

/** Starts servers, runs `measure` with them, and stops them whatever happens. */
async function withServers(starts, measure) {
  const servers = [];
  try {
    for (const start of starts) servers.push(await start());
    return await measure(...servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** A short load first, so that no measured load pays for JIT warm-up or connection set-up. */
async function warm(run) {
  await run({ duration: 1 });
}

/** One process per store, each against the bare route; the session create rows; Redis vs sqlite. */
async function perStore(bare, redisUrl) {
  const stores = { sqlite: () => startVapiAuth('sqlite', ONE_PROCESS), memory: () => startVapiAuth('memory', ONE_PROCESS) };
  if (redisUrl) stores.redis = () => startVapiAuth(redisUrl, ONE_PROCESS);
  return withServers(Object.values(stores), async (...servers) => {
    const names = Object.keys(stores);
    const loads = { bare: () => load(`${bare.url}/api/session`) };
    for (const [i, name] of names.entries()) {
      const get = sessionGet(servers[i].url, await login(servers[i].url));
      await warm(get);
      loads[name] = get;
    }
    const measured = await rounds(loads);
    const rows = names.map((name) => compare(`authenticated GET /api/session, ${name}, --workers 1 vs bare route`, measured[name], measured.bare, '≥ 0.6'));
    if (redisUrl) rows.push(compare('authenticated GET /api/session, redis vs sqlite (one process each)', measured.redis, measured.sqlite));
    const bareRate = { rps: median(measured.bare.map((r) => r.rps)), p99: median(measured.bare.map((r) => r.p99)) };
    for (const [i, name] of names.entries()) {
      const created = await load(`${servers[i].url}/api/session`, { method: 'POST', headers: { authorization: basic }, connections: 4 });
      rows.push(compare(`session create (argon2id, 4 connections), ${name} vs bare route`, [created], [bareRate]));
    }
    return rows;
  });
}

/** An authorized request with the privilege-check recorder on and off, per embedded store. */
async function recorder(bare) {
  const rows = [];
  for (const store of ['sqlite', 'memory']) {
    const starts = [() => startVapiAuth(store, ONE_PROCESS), () => startVapiAuth(store, [...ONE_PROCESS, '--privilege-checks', '0'])];
    rows.push(
      ...(await withServers(starts, async (on, off) => {
        const [onToken, offToken] = [await login(on.url), await login(off.url)];
        const measured = await rounds({
          bare: () => load(`${bare.url}/api/session`),
          on: () => load(`${on.url}${AUTHORIZED}`, { headers: { 'vmware-api-session-id': onToken } }),
          off: () => load(`${off.url}${AUTHORIZED}`, { headers: { 'vmware-api-session-id': offToken } }),
        });
        return [
          compare(`authorized GET /api/cis/tasks (System.Read, recorded), ${store} vs bare route`, measured.on, measured.bare),
          compare(`same, recorder on vs off, ${store}`, measured.on, measured.off, '≥ 0.9'),
        ];
      })),
    );
  }
  return rows;
}

/** The default start (sqlite, --workers auto) against vcsim's authenticated session GET. */
async function versusVcsim(vcsimBinary) {
  return withServers([() => startVapiAuth('sqlite'), () => startVcsim(vcsimBinary)], async (ours, vcsim) => {
    const oursGet = sessionGet(ours.url, await login(ours.url));
    const vcsimToken = await vcsimLogin(vcsim.url);
    const vcsimGet = (options = {}) => load(`${vcsim.url}/rest/com/vmware/cis/session`, { headers: { 'vmware-api-session-id': vcsimToken }, ...options });
    await warm(oursGet);
    await warm(vcsimGet);
    const measured = await rounds({ ours: oursGet, vcsim: vcsimGet });
    return [compare(`authenticated GET /api/session, default start (sqlite, --workers auto = ${availableParallelism()}) vs vcsim GET /rest/com/vmware/cis/session`, measured.ours, measured.vcsim, '≥ 1.25')];
  });
}

/** The same authorized request with a JWT bearer token and with a session id, on one process. */
async function jwtVersusSession() {
  const start = () => startVapiAuth('sqlite', [...ONE_PROCESS, '--omivv-rate', '0', '--omivv-token-rate', '0']);
  return withServers([start], async (server) => {
    const [jwt, session] = [await omivvToken(server.url), await login(server.url)];
    const withJwt = (options = {}) => load(`${server.url}${AUTHORIZED}`, { headers: { authorization: `Bearer ${jwt}` }, ...options });
    const withSession = (options = {}) => load(`${server.url}${AUTHORIZED}`, { headers: { 'vmware-api-session-id': session }, ...options });
    await warm(withJwt);
    await warm(withSession);
    const measured = await rounds({ jwt: withJwt, session: withSession });
    return [compare('authorized GET /api/cis/tasks with a JWT bearer token vs with a session id, sqlite, --workers 1', measured.jwt, measured.session, '≥ 0.8')];
  });
}

/** Authenticated GETs on the default start while Basic logins arrive at a fixed rate, against the same GETs alone. */
async function underLogins() {
  return withServers([() => startVapiAuth('sqlite')], async (server) => {
    const get = sessionGet(server.url, await login(server.url));
    await warm(get);
    const logins = [];
    const measured = await rounds({
      quiet: get,
      busy: async () => {
        const [busy, logging] = await Promise.all([
          get(),
          load(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic }, connections: 16, overallRate: LOGINS_PER_SECOND }),
        ]);
        logins.push(logging);
        return busy;
      },
    });
    return [
      compare(`authenticated GET /api/session while ${LOGINS_PER_SECOND} Basic logins/s arrive vs quiet, default start`, measured.busy, measured.quiet, '≥ 0.7'),
      { label: `the Basic logins (POST /api/session) meanwhile, offered at ${LOGINS_PER_SECOND}/s`, rps: median(logins.map((r) => r.rps)), p99: median(logins.map((r) => r.p99)), goal: 'p99 ≤ 500 ms' },
    ];
  });
}

/** Two nodes on one Redis, half the cores each, against one node on sqlite with every core; the load is split over the two. */
async function twoNodesOnRedis(redisUrl) {
  const half = ['--workers', String(Math.max(1, Math.floor(availableParallelism() / 2)))];
  const starts = [() => startVapiAuth('sqlite'), () => startVapiAuth(redisUrl, half), () => startVapiAuth(redisUrl, half)];
  return withServers(starts, async (embedded, nodeA, nodeB) => {
    const one = sessionGet(embedded.url, await login(embedded.url));
    const token = await login(nodeA.url); // valid on both nodes: the session lives in Redis
    const split = { connections: CONNECTIONS / 2 };
    const two = (options = {}) => loadTogether([sessionGet(nodeA.url, token, { ...split, ...options }), sessionGet(nodeB.url, token, { ...split, ...options })]);
    await warm(one);
    await warm(two);
    const measured = await rounds({ one, two });
    return [compare(`authenticated GET /api/session, two nodes on Redis (--workers ${half[1]} each) vs one node on sqlite (--workers ${availableParallelism()})`, measured.two, measured.one, '≥ 0.7')];
  });
}

const fmt = (n, digits = 0) => (n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

const vcsimBuild = buildVcsim(); // before any server runs: a build competes for the CPU
const redis = spawnSync('redis-server', ['--version']).status === 0 ? await startRedisServer() : undefined;
if (!redis) console.log('redis-server not found: the Redis rows are left out');
const rows = [];
try {
  await withServers([() => startProcess(['bench/bare-server.mjs'])], async (bare) => {
    await load(`${bare.url}/api/session`, { duration: 1 });
    rows.push(...(await perStore(bare, redis?.url)));
    rows.push(...(await recorder(bare)));
  });
  if (vcsimBuild.binary) rows.push(...(await versusVcsim(vcsimBuild.binary)));
  else console.log(vcsimBuild.skipped);
  rows.push(...(await jwtVersusSession()));
  rows.push(...(await underLogins()));
  if (redis) rows.push(...(await twoNodesOnRedis(redis.url)));
} finally {
  await redis?.stop();
}

console.log(`\n${DURATION}s per load, ${CONNECTIONS} connections unless the row says otherwise; each ratio is the median over ${ROUNDS} rounds of the pair measured in one round\n`);
console.log('| load | req/s | p99 ms | req/s ratio | p99 ratio | goal |');
console.log('|---|---:|---:|---:|---:|---|');
for (const row of rows) {
  console.log(`| ${row.label} | ${fmt(row.rps)} | ${fmt(row.p99)} | ${fmt(row.ratio, 3)} | ${fmt(row.p99Ratio, 2)} | ${row.goal} |`);
}

const cold = await measureColdStart();
console.log('\n| start (`vapi-auth serve`, HTTPS, sqlite, --workers auto) | ms to the first 201 of POST /api/session | goal |');
console.log('|---|---:|---|');
console.log(`| existing data dir | ${fmt(cold.existing)} | < 500 |`);
console.log(`| fresh data dir (certificate, keys, administrator created) | ${fmt(cold.fresh)} | < 1000 |`);

const memory = await measureSessionMemory();
console.log('\n| store | live sessions | RSS growth per session (bytes) | process RSS (MB) | file bytes per session | goal |');
console.log('|---|---:|---:|---:|---:|---|');
for (const row of memory) {
  console.log(`| ${row.store} | ${fmt(row.sessions)} | ${fmt(row.rssPerSession)} | ${fmt(row.rss / 1e6)} | ${fmt(row.filePerSession)} | ${row.goal} |`);
}
