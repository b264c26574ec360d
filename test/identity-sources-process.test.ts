import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from './helpers/http.js';
import { processSandbox, runCli, startServerProcess } from './helpers/cli-process.js';
import { passwordOf, SERVICE_PASSWORD, slapdAvailable, sourcesFileFor, startSlapd, type SlapdProcess } from './helpers/slapd.js';

const sandbox = processSandbox('vapi-auth-ldap-process-');
let slapd: SlapdProcess;

beforeAll(async () => {
  if (slapdAvailable()) slapd = await startSlapd();
});
afterAll(async () => slapd?.destroy());

describe.skipIf(!slapdAvailable())('vapi-auth serve --identity-sources', () => {
  it('serves directory users across workers, with roles given to their groups by the CLI, and logs no secret', async () => {
    const { file } = sourcesFileFor(slapd);
    expect((await runCli(['permission', 'add', 'Platform@example.com', 'ReadOnly', '--group', '--data-dir', sandbox.dataDir])).code).toBe(0);
    const server = sandbox.track(
      await startServerProcess(['--http', '--workers', '2', '--data-dir', sandbox.dataDir, '--identity-sources', file, '--group-refresh', '1m'], { VAPI_AUTH_ADMIN_PASSWORD: 'Adm1n-process' }),
    );
    const created = await http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`EXAMPLE\\bob:${passwordOf('bob')}`).toString('base64')}` } });
    expect(created.status).toBe(201);
    const session = { 'vmware-api-session-id': created.json as string };
    // Many requests, so that both workers read the directory session from the shared sqlite store.
    const statuses = await Promise.all(Array.from({ length: 20 }, () => http(`${server.url}/api/cis/tasks?services=com.example.none`, { headers: session })));
    expect(statuses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(((await http(`${server.url}/api/session`, { headers: session })).json as { user: string }).user).toBe('bob@EXAMPLE.COM');
    const wrong = await http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('bob@example.com:Wr0ng-pw').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    for (const secret of [SERVICE_PASSWORD, passwordOf('bob'), 'Wr0ng-pw']) expect(server.output()).not.toContain(secret);
  });
});
