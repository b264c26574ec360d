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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const rows = [];
const bare = await startProcess(['bench/bare-server.mjs']);
const servers = { sqlite: await startVapiAuth('sqlite'), memory: await startVapiAuth('memory') };
// The same stores with the privilege-check recorder off: what recording costs on an authorized request.
const unrecorded = { sqlite: await startVapiAuth('sqlite', ['--privilege-checks', '0']), memory: await startVapiAuth('memory', ['--privilege-checks', '0']) };
const redis = spawnSync('redis-server', ['--version']).status === 0 ? await startRedisServer() : undefined;
if (redis) servers.redis = await startVapiAuth(redis.url);
else console.log('redis-server not found: the Redis rows are left out');
try {
  await load(`${bare.url}/api/session`, { duration: 1 });
  const tokens = {};
  for (const [store, server] of Object.entries(servers)) {
    tokens[store] = await login(server.url);
    await load(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': tokens[store] }, duration: 1 });
  }
  // Each load of a store follows a load of the bare route, and the pair's ratio is kept: the two
  // run seconds apart, so a machine that slows down or speeds up moves both. The median over the
  // rounds is reported.
  const baselines = [];
  const pairs = Object.fromEntries(Object.keys(servers).map((store) => [store, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [store, server] of Object.entries(servers)) {
      const baseline = await load(`${bare.url}/api/session`);
      const authed = await load(`${server.url}/api/session`, { headers: { 'vmware-api-session-id': tokens[store] } });
      baselines.push(baseline);
      pairs[store].push({ baseline, authed });
    }
  }
  const baseline = { rps: median(baselines.map((b) => b.rps)), p99: median(baselines.map((b) => b.p99)) };
  rows.push(['bare route GET /api/session (baseline)', baseline.rps, baseline.p99, 1, 1]);
  for (const [store, measured] of Object.entries(pairs)) {
    rows.push([
      `authenticated GET /api/session, ${store}`,
      median(measured.map((pair) => pair.authed.rps)),
      median(measured.map((pair) => pair.authed.p99)),
      median(measured.map((pair) => pair.authed.rps / pair.baseline.rps)),
      median(measured.map((pair) => pair.authed.p99 / Math.max(pair.baseline.p99, 1))),
    ]);
  }
  for (const [store, server] of Object.entries(servers)) {
    const created = await load(`${server.url}/api/session`, { method: 'POST', headers: { authorization: basic }, connections: 4 });
    rows.push([`session create (argon2id), ${store}`, created.rps, created.p99, created.rps / baseline.rps, created.p99 / Math.max(baseline.p99, 1)]);
  }
  // An operation that needs a privilege (cis.tasks list: System.Read), so every request is
  // authorized and its check recorded; the recorder-off server of the same store runs next to it.
  const AUTHORIZED = '/api/cis/tasks?services=com.example.none';
  for (const store of Object.keys(unrecorded)) {
    const onToken = await login(servers[store].url);
    const offToken = await login(unrecorded[store].url);
    const measured = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = await load(`${bare.url}/api/session`);
      const on = await load(`${servers[store].url}${AUTHORIZED}`, { headers: { 'vmware-api-session-id': onToken } });
      const off = await load(`${unrecorded[store].url}${AUTHORIZED}`, { headers: { 'vmware-api-session-id': offToken } });
      measured.push({ baseline, on, off });
    }
    const med = (select) => median(measured.map(select));
    rows.push([`authorized GET /api/cis/tasks (System.Read, recorded), ${store}`, med((m) => m.on.rps), med((m) => m.on.p99), med((m) => m.on.rps / m.baseline.rps), med((m) => m.on.p99 / Math.max(m.baseline.p99, 1))]);
    rows.push([`same, recorder on vs off (goal ≥ 0.9), ${store}`, med((m) => m.on.rps), med((m) => m.on.p99), med((m) => m.on.rps / m.off.rps), med((m) => m.on.p99 / Math.max(m.off.p99, 1))]);
  }
  if (servers.redis) {
    const ratio = (select) => median(pairs.redis.map((pair, i) => select(pair.authed) / Math.max(select(pairs.sqlite[i].authed), 1)));
    const redisRow = rows.find(([name]) => name.endsWith('GET /api/session, redis'));
    rows.push(['authenticated GET, redis vs sqlite (embedded)', redisRow[1], redisRow[2], ratio((m) => m.rps), ratio((m) => m.p99)]);
  }
} finally {
  await Promise.all([bare.stop(), ...[...Object.values(servers), ...Object.values(unrecorded)].map((server) => server.stop())]);
  await redis?.stop();
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\n${DURATION}s per load, ${CONNECTIONS} connections (4 for create); GET rows: median of ${ROUNDS} rounds, each paired with a baseline load\n`);
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
