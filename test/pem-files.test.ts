import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process.js';
import { testIssuer, type Issuer } from './helpers/saml.js';

let dir: string;
let good: Issuer;
let other: Issuer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vapi-auth-pem-'));
  [good, other] = await Promise.all([testIssuer('tls'), testIssuer('other')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PEM with the start of its DER overwritten: the ASN.1 structure no longer parses. */
const damaged = (pem: string) => pem.replace(/(-----BEGIN CERTIFICATE-----\s*)[A-Za-z0-9+/]{12}/, '$1AAAAAAAAAAAA');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `vapi-auth serve` with these options on a fresh data dir: it must stop before listening. */
function serve(args: string[]) {
  return runCli(['serve', '--port', '0', '--data-dir', mkdtempSync(join(dir, 'data-')), ...args], { env: { VAPI_AUTH_ADMIN_PASSWORD: 'Pem-files1' } });
}

describe('PEM files are parsed at start: a bad one stops the server, naming its file', () => {
  it('a damaged --cert certificate', async () => {
    const cert = file('damaged-cert.pem', damaged(good.cert));
    const result = await serve(['--cert', cert, '--key', file('key.pem', good.key)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--cert ${cert}: certificate 1 is not a valid X.509 certificate`);
  });

  it('a damaged second certificate in a --cert chain', async () => {
    const cert = file('damaged-chain.pem', `${good.cert}\n${damaged(other.cert)}`);
    const result = await serve(['--cert', cert, '--key', file('key.pem', good.key)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--cert ${cert}: certificate 2 is not a valid X.509 certificate`);
  });

  it('a --cert file without any certificate', async () => {
    const cert = file('empty-cert.pem', 'no certificate here\n');
    const result = await serve(['--cert', cert, '--key', file('key.pem', good.key)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--cert ${cert} holds no PEM certificate`);
  });

  it('a --key file without a private key, named without any of its content', async () => {
    const key = file('not-a-key.pem', '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXRleHQ=\n-----END PRIVATE KEY-----\n');
    const result = await serve(['--cert', file('cert.pem', good.cert), '--key', key]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--key ${key} holds no valid private key`);
    expect(result.stderr).not.toContain('c2VjcmV0LXRleHQ');
  });

  it('a damaged certificate among --trusted-sts-certs', async () => {
    const trusted = file('trusted.pem', `${other.cert}\n${damaged(good.cert)}`);
    const result = await serve(['--http', '--trusted-sts-certs', trusted]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--trusted-sts-certs ${trusted}: certificate 2 is not a valid X.509 certificate`);
  });
});
