// npm run bench: every figure is a ratio to a baseline measured in the same run, so a slow or
// busy machine shifts both sides alike. Loads go to 127.0.0.1 only, bounded in time.
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { ADMIN_PASSWORD, startProcess, startRedisServer, startVapiAuth } from './processes.mjs';
import { measureSessionMemory } from './session-memory.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;
const basic = `Basic ${Buffer.from(`administrator@vsphere.local:${ADMIN_PASSWORD}`).toString('base64')}`;

async function load(url, options = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...options });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function login(url) {
  const response = await fetch(`${url}/api/session`, { method: 'POST', headers: { authorization: basic } });
  if (response.status !== 201) throw new Error(`login failed: ${response.status}`);
  return response.json();
}

const rows = [];
const bare = await startProcess(['bench/bare-server.mjs']);
const servers = { sqlite: await startVapiAuth('sqlite'), memory: await startVapiAuth('memory') };
const redis = spawnSync('redis-server', ['--version']).status === 0 ? await startRedisServer() : undefined;
if (redis) servers.redis = await startVapiAuth(redis.url);
else console.log('redis-server not found: the Redis rows are left out');
try {
  const warm = { ...(await load(`${bare.url}/api/session`, { duration: 1 })) };
  void warm;
  const baseline = await load(`${bare.url}/api/session`);
  rows.push(['bare route GET /api/session (baseline)', baseline.rps, baseline.p99, 1, 1]);
  for (const [store, server] of Object.entries(servers)) {
    const token = await login(server.url);
    const headers = { 'vmware-api-session-id': token };
    await load(`${server.url}/api/session`, { headers, duration: 1 });
    const authed = await load(`${server.url}/api/session`, { headers });
    rows.push([`authenticated GET /api/session, ${store}`, authed.rps, authed.p99, authed.rps / baseline.rps, authed.p99 / Math.max(baseline.p99, 1)]);
  }
  for (const [store, server] of Object.entries(servers)) {
    const created = await load(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic }, connections: 4 });
    rows.push([`session create (argon2id), ${store}`, created.rps, created.p99, created.rps / baseline.rps, created.p99 / Math.max(baseline.p99, 1)]);
  }
  if (servers.redis) {
    const redisRow = rows.find(([name]) => name.endsWith(', redis'));
    const sqliteRow = rows.find(([name]) => name.endsWith(', sqlite'));
    rows.push(['authenticated GET, redis vs sqlite (embedded)', redisRow[1], redisRow[2], redisRow[1] / sqliteRow[1], redisRow[2] / Math.max(sqliteRow[2], 1)]);
  }
} finally {
  await Promise.all([bare.stop(), ...Object.values(servers).map((server) => server.stop())]);
  await redis?.stop();
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\n${DURATION}s per load, ${CONNECTIONS} connections (4 for create), one run\n`);
console.log('| load | req/s | p99 ms | req/s vs baseline | p99 vs baseline |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, rps, p99, ratio, p99Ratio] of rows) {
  console.log(`| ${name} | ${fmt(rps)} | ${fmt(p99)} | ${fmt(ratio, 3)} | ${fmt(p99Ratio, 2)} |`);
}

const memory = await measureSessionMemory(100_000);
console.log('\n| store | live sessions | RSS growth per session (bytes) | file bytes per session |');
console.log('|---|---:|---:|---:|');
for (const row of memory) {
  console.log(`| ${row.store} | ${fmt(row.sessions)} | ${fmt(row.rssPerSession)} | ${row.filePerSession === undefined ? '—' : fmt(row.filePerSession)} |`);
}
