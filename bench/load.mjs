// Load generation and pairing: every load has the same client settings, and compared loads run
// in the same rounds, alternating their order, so a machine that slows down moves both sides.
import autocannon from 'autocannon';
import { ADMIN_PASSWORD } from './processes.mjs';

export const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const CONNECTIONS = 32;

export const basic = `Basic ${Buffer.from(`administrator@vsphere.local:${ADMIN_PASSWORD}`).toString('base64')}`;

/** One autocannon load; any non-2xx answer or error fails the run (a fast error is no result). */
export async function load(url, options = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...options });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** Several loads at once (e.g. one per node): their rates add up, the worst p99 counts. */
export async function loadTogether(loads) {
  const results = await Promise.all(loads.map((run) => run()));
  return { rps: results.reduce((sum, r) => sum + r.rps, 0), p99: Math.max(...results.map((r) => r.p99)) };
}

export async function login(url) {
  const response = await fetch(`${url}/api/session`, { method: 'POST', headers: { authorization: basic } });
  if (response.status !== 201) throw new Error(`login failed: ${response.status}`);
  return response.json();
}

const OMIVV_LOGIN = '/Spectre/api/rest/v1/Services/AuthenticationService/login';

/** A JWT from the OMIVV login (docs/omivv-jwt.md). */
export async function omivvToken(url) {
  const body = JSON.stringify({ apiUserCredential: { username: 'administrator', domain: 'vsphere.local', password: ADMIN_PASSWORD } });
  const response = await fetch(`${url}${OMIVV_LOGIN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 200) throw new Error(`OMIVV login failed: ${response.status} ${await response.text()}`);
  return (await response.json()).accessToken;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs every named load once per round, in alternating order (forward, then backward), and
 * answers each load's results by name, one per round.
 */
export async function rounds(loads) {
  const names = Object.keys(loads);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) results[name].push(await loads[name]());
  }
  return results;
}

/**
 * A report row: `subject`'s median rate and p99, and the median over rounds of its ratio to
 * `versus` measured in the same round.
 */
export function compare(label, subject, versus, goal = '') {
  return {
    label,
    rps: median(subject.map((r) => r.rps)),
    p99: median(subject.map((r) => r.p99)),
    ratio: median(subject.map((r, i) => r.rps / versus[i].rps)),
    p99Ratio: median(subject.map((r, i) => r.p99 / Math.max(versus[i].p99, 1))),
    goal,
  };
}
