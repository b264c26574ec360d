import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processSandbox, startServerProcess, type ServerProcess } from './helpers/cli-process.js';
import { http } from './helpers/http.js';
import { signHeader } from './helpers/saml.js';
import { envelope, requestSecurityToken } from './helpers/ws-security.js';

const PASSWORD = 'Lazy-pa55';
const RECORDER = fileURLToPath(new URL('./helpers/record-imports.mjs', import.meta.url));

/**
 * What a plain start must not load, because most servers never use it: the XML parser and signer
 * (SAML tokens, the STS and the lookup service), certificate generation (the data dir has its
 * certificates), the Redis client (the store is sqlite), the YAML parser (no --auth-config) and
 * Fastify's JSON-schema compilers (no route has a schema). Loaded at start, being small: the XML
 * escaping and SOAP fault writer (the sso dialect's error answers) and the STS key files.
 */
const OPTIONAL = [
  /\/node_modules\/xml-crypto\//,
  /\/node_modules\/@xmldom\/xmldom\//,
  /\/node_modules\/selfsigned\//,
  /\/node_modules\/ioredis\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/(@fastify\/ajv-compiler|ajv|@fastify\/fast-json-stringify-compiler)\//,
  /^src\/saml\/(?!escape-xml\.ts$)/,
  /^src\/sso\/(?!soap\.ts$|sts-keys\.ts$)/,
];

/** The build's record of which source modules each chunk of the bundle holds (rolldown.config.mjs). */
const CHUNK_MODULES = JSON.parse(readFileSync(fileURLToPath(new URL('../dist/chunk-modules.json', import.meta.url)), 'utf8')) as Record<string, string[]>;

/** A loaded URL, and for a file of the bundle the source modules bundled in it. */
function namesOf(url: string): string[] {
  const bundled = url.match(/\/dist\/(.+\.js)$/);
  return bundled ? [url, ...(CHUNK_MODULES[bundled[1]!] ?? [])] : [url];
}

const sandbox = processSandbox('vapi-auth-lazy-');

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

describe('a plain start', () => {
  it('loads no SAML, XML, certificate-generation or Redis module, and the first STS request and SAML login still work', async () => {
    await stop(sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir], { VAPI_AUTH_ADMIN_PASSWORD: PASSWORD })));
    const record = join(sandbox.dataDir, 'imports.txt');
    const server = sandbox.track(await startServerProcess(['--data-dir', sandbox.dataDir], { NODE_OPTIONS: `--import=${RECORDER}`, VAPI_AUTH_TEST_IMPORTS: record }));
    const imported = () => readFileSync(record, 'utf8').trim().split('\n').flatMap(namesOf);
    expect(imported()).toContain('src/server.ts'); // the recorder sees the start, and the bundle's modules
    expect(imported().filter((name) => OPTIONAL.some((pattern) => pattern.test(name)))).toEqual([]);

    const ca = readFileSync(join(sandbox.dataDir, 'tls', 'cert.pem'), 'utf8');
    const now = Date.now();
    const issued = await http(`${server.url}/sts/STSService/vsphere.local`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: envelope(requestSecurityToken({ expires: now + 600_000 }), { user: 'administrator', password: PASSWORD, now }),
      ca,
    });
    expect(issued.status).toBe(200);
    const token = issued.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)![0];
    const created = await http(`${server.url}/api/session`, { method: 'POST', headers: { authorization: signHeader(token) }, ca });
    expect(created.status).toBe(201);
    expect(imported().filter((url) => url.includes('/node_modules/xml-crypto/'))).not.toEqual([]);
  }, 60_000);
});
