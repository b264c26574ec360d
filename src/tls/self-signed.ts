import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { createDirectoryOnce } from '../fs/atomic-files.js';
import { restrictToOwner } from '../fs/owner-only.js';

export interface TlsFiles {
  cert: string;
  key: string;
  /** True when this call created them (of processes starting together, exactly one). */
  created: boolean;
}

async function generate(host: string): Promise<Omit<TlsFiles, 'created'>> {
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
  return { cert: pems.cert, key: pems.private };
}

/**
 * The data dir's self-signed certificate (`tls/cert.pem`, and `tls/key.pem` readable by its owner
 * only), generated on first use for localhost, the loopback addresses, this machine's name and
 * `host`. Processes starting together on an empty data dir all serve the one pair the first of
 * them created.
 */
export async function selfSignedCertificate(dataDir: string, host: string): Promise<TlsFiles> {
  const dir = join(dataDir, 'tls');
  const read = async () => ({ cert: await readFile(join(dir, 'cert.pem'), 'utf8'), key: await readFile(join(dir, 'key.pem'), 'utf8'), created: false });
  try {
    const found = await read();
    // A key file found readable by others (copied in, a umask) is narrowed to its owner.
    restrictToOwner(join(dir, 'key.pem'));
    return found;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pair = await generate(host);
  const created = await createDirectoryOnce(dir, { 'key.pem': { content: pair.key, mode: 0o600 }, 'cert.pem': { content: pair.cert, mode: 0o644 } });
  return created ? { ...pair, created } : read();
}
