import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';
import { omivvLogin } from './helpers/omivv.js';
import { processSandbox, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { promtoolAvailable, promtoolProblems } from './helpers/promtool.js';

const ADMIN = 'administrator@vsphere.local';
const PASSWORD = 'Metr1cs-pw';
const sandbox = processSandbox('vapi-auth-metrics-');

async function start(workers: number, extra: string[] = []): Promise<{ server: ServerProcess; ops: string }> {
  const server = sandbox.track(
    await startServerProcess(['--http', '--workers', String(workers), '--data-dir', sandbox.dataDir, '--ops-port', '0', ...extra], { VAPI_AUTH_ADMIN_PASSWORD: PASSWORD }),
  );
  const ops = server.output().match(/Operations listener at (http:\/\/[^"\s]+)/)![1]!;
  return { server, ops };
}

const login = (url: string, password = PASSWORD) => http(`${url}/api/session`, { method: 'POST', headers: basic(ADMIN, password) });

/** The value of one sample (name with its labels, as exposed), or undefined when absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('--ops-port', () => {
  it('serves the metrics, health and readiness on a listener of its own', async () => {
    const { server, ops } = await start(1);
    expect((await login(server.url)).status).toBe(201);
    expect((await login(server.url, 'wrong')).status).toBe(401);
    expect((await omivvLogin(server.url, ADMIN, 'wrong')).status).toBe(401);
    const scrape = await http(`${ops}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scrape.text;
    expect(sample(text, 'vapi_auth_requests_total{dialect="api",operation="com.vmware.cis.session.create",status="201"}')).toBe(1);
    expect(sample(text, 'vapi_auth_requests_total{dialect="api",operation="com.vmware.cis.session.create",status="401"}')).toBe(1);
    expect(sample(text, 'vapi_auth_authentications_total{scheme="user_pass",result="success"}')).toBe(1);
    expect(sample(text, 'vapi_auth_authentications_total{scheme="user_pass",result="bad_credentials"}')).toBe(1);
    expect(sample(text, 'vapi_auth_authentications_total{scheme="omivv_login",result="bad_credentials"}')).toBe(1);
    expect(sample(text, 'vapi_auth_sessions_total{event="created"}')).toBe(1);
    expect(sample(text, 'vapi_auth_sessions_live')).toBe(1);
    expect(sample(text, 'vapi_auth_request_duration_seconds_count{dialect="api"}')).toBe(2);
    expect(sample(text, 'vapi_auth_password_hash_queue_depth')).toBe(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect((await http(`${ops}/healthz`)).status).toBe(200);
    expect((await http(`${ops}/readyz`)).text).toBe('ready\n');
    // The main listener has no metrics: they are for the operations network only.
    expect((await http(`${server.url}/metrics`)).status).toBe(404);
  });

  it('passes promtool check metrics', async (context) => {
    if (!promtoolAvailable()) return context.skip();
    const { server, ops } = await start(1);
    await login(server.url);
    await login(server.url, 'wrong');
    await http(`${server.url}/api/no/such/thing`);
    expect(promtoolProblems((await http(`${ops}/metrics`)).text)).toEqual([]);
  });

  it('shows the requests of every worker in one scrape of the primary', async (context) => {
    const audit = join(sandbox.dataDir, 'audit.log');
    const { server, ops } = await start(2, ['--audit-log', audit]);
    const logins = 10;
    for (let i = 0; i < logins; i++) expect((await login(server.url)).status).toBe(201);
    // Request ids start with their process's prefix: both workers answered some of the logins.
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { requestId: string });
    expect(new Set(lines.map((line) => line.requestId.split('-')[0])).size).toBe(2);
    const text = (await http(`${ops}/metrics`)).text;
    expect(sample(text, 'vapi_auth_requests_total{dialect="api",operation="com.vmware.cis.session.create",status="201"}')).toBe(logins);
    expect(sample(text, 'vapi_auth_sessions_total{event="created"}')).toBe(logins);
    // Read from the shared store by each worker: the count once, not once per worker.
    expect(sample(text, 'vapi_auth_sessions_live')).toBe(logins);
    if (promtoolAvailable()) expect(promtoolProblems(text)).toEqual([]);
    else context.annotate('promtool is not installed: the aggregated text was not linted');
  });
});
