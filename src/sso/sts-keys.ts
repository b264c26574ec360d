import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

/** The STS signing key and its certificate (PEM). Tokens it signs are trusted by this server. */
export interface StsKeys {
  key: string;
  cert: string;
}

async function generate(): Promise<StsKeys> {
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 10 * 365 * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'vapi-auth STS' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
  });
  return { key: pems.private, cert: pems.cert };
}

/** The data dir's STS key pair (`sts/key.pem`, mode 0600, and `sts/cert.pem`), created on first use. */
export async function stsKeys(dataDir: string): Promise<StsKeys> {
  const dir = join(dataDir, 'sts');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  const keys = await generate();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, keys.key, { mode: 0o600 });
  await writeFile(certFile, keys.cert, { mode: 0o644 });
  return keys;
}

/** A key pair that lives in memory only (tests, embedding without a data dir). */
export function ephemeralStsKeys(): Promise<StsKeys> {
  return generate();
}
