import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';

export interface TlsFiles {
  cert: string;
  key: string;
  /** True when this call generated them. */
  generated: boolean;
}

/**
 * The data dir's self-signed certificate, generated on first use for localhost, the loopback
 * addresses, this machine's name and `host`. The key file is readable by its owner only.
 */
export async function selfSignedCertificate(dataDir: string, host: string): Promise<TlsFiles> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), generated: false };
  }
  const names = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(host)) ips.add(host);
  else names.add(host);
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 86_400_000);
  // Loaded only to generate: a start on an existing data dir does not pay for the X.509 library.
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'vapi-auth' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...[...names].map((value) => ({ type: 2 as const, value })), ...[...ips].map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, pems.private, { mode: 0o600 });
  await writeFile(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, generated: true };
}
