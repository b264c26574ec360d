import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processSandbox, startServerProcess } from './helpers/cli-process.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const sandbox = processSandbox('vapi-auth-deploy-');

/** Runs the container's health check script against a port; resolves with its exit code. */
function healthcheck(env: Record<string, string>): number {
  return spawnSync(process.execPath, [join(DEPLOY, 'healthcheck.mjs')], { env: { ...process.env, ...env }, timeout: 10_000 }).status ?? -1;
}

describe('deploy/healthcheck.mjs (the Dockerfile HEALTHCHECK)', () => {
  it.each([
    ['HTTPS with the self-signed certificate', [] as string[], {}],
    ['plain HTTP', ['--http'], { VAPI_AUTH_HTTP: 'true' }],
  ])('passes against a serving vapi-auth over %s', async (_name, args, env) => {
    const server = sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir, ...args], { VAPI_AUTH_ADMIN_PASSWORD: 'Deploy-pw1' }));
    expect(healthcheck({ ...env, VAPI_AUTH_PORT: new URL(server.url).port })).toBe(0);
  });

  it('fails when nothing serves on the port', async () => {
    const server = sandbox.track(await startServerProcess(['--http', '--data-dir', sandbox.dataDir], { VAPI_AUTH_ADMIN_PASSWORD: 'Deploy-pw1' }));
    const { port } = new URL(server.url);
    server.child.kill('SIGTERM');
    await server.exited;
    expect(healthcheck({ VAPI_AUTH_HTTP: 'true', VAPI_AUTH_PORT: port })).toBe(1);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');

  it('runs as a user of its own, keeps its state on the /data volume and checks /healthz', () => {
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER vapi-auth:vapi-auth$/m);
    expect(lastStage).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(lastStage).toMatch(/VAPI_AUTH_DATA_DIR=\/data/);
    expect(lastStage).toMatch(/^HEALTHCHECK .* CMD \["node", "\/app\/healthcheck\.mjs"\]$/m);
  });
});

const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe.runIf(systemdAnalyze)('deploy/vapi-auth.service', () => {
  it('is rated OK or better by systemd-analyze security (exposure 2.0 or less)', () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(DEPLOY, 'vapi-auth.service')], { encoding: 'utf8' });
    const exposure = result.stdout.match(/Overall exposure level for vapi-auth\.service: ([\d.]+)/);
    expect(exposure, result.stdout + result.stderr).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(2.0);
  });
});

if (!systemdAnalyze) describe('deploy/vapi-auth.service', () => it.skip('systemd-analyze is not installed', () => undefined));
