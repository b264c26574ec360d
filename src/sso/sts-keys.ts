import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The STS signing key and its certificate (PEM). Tokens it signs are trusted by this server. */
export interface StsKeys {
  key: string;
  cert: string;
  /** Certificates of keys rotated out, still trusted until every token they signed has expired. */
  previousCertificates?: string[];
}

interface Retired {
  cert: string;
  retiredAt: number;
}

async function generate(): Promise<StsKeys> {
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 10 * 365 * 86_400_000);
  // Loaded only to generate: a start on an existing data dir does not pay for the X.509 library.
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'vapi-auth STS' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
  });
  return { key: pems.private, cert: pems.cert };
}

const files = (dataDir: string) => {
  const dir = join(dataDir, 'sts');
  return { dir, key: join(dir, 'key.pem'), cert: join(dir, 'cert.pem'), retired: join(dir, 'retired.json') };
};

async function retiredCertificates(file: string): Promise<Retired[]> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Retired[]) : [];
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}

/**
 * The data dir's STS key pair (`sts/key.pem`, mode 0600, and `sts/cert.pem`), created on first use,
 * with the certificates retired less than `maxTokenLifetimeMs` ago.
 */
export async function stsKeys(dataDir: string, now: number, maxTokenLifetimeMs: number): Promise<StsKeys> {
  const f = files(dataDir);
  if (!existsSync(f.key) || !existsSync(f.cert)) {
    const keys = await generate();
    await mkdir(f.dir, { recursive: true, mode: 0o700 });
    await writeAtomically(f.key, keys.key, 0o600);
    await writeAtomically(f.cert, keys.cert, 0o644);
  }
  const previousCertificates = (await retiredCertificates(f.retired)).filter((r) => r.retiredAt + maxTokenLifetimeMs > now).map((r) => r.cert);
  return { key: await readFile(f.key, 'utf8'), cert: await readFile(f.cert, 'utf8'), previousCertificates };
}

/**
 * Replaces the STS key pair. The old certificate stays trusted until every token it signed has
 * expired (`maxTokenLifetimeMs`); older retired ones are dropped. Servers sign with the new key
 * from their next start.
 */
export async function rotateStsKeys(dataDir: string, now: number, maxTokenLifetimeMs: number): Promise<void> {
  const current = await stsKeys(dataDir, now, maxTokenLifetimeMs);
  const f = files(dataDir);
  const retired = [...(await retiredCertificates(f.retired)).filter((r) => r.retiredAt + maxTokenLifetimeMs > now), { cert: current.cert, retiredAt: now }];
  const fresh = await generate();
  await writeAtomically(f.retired, `${JSON.stringify(retired, null, 2)}\n`, 0o644);
  await writeAtomically(f.key, fresh.key, 0o600);
  await writeAtomically(f.cert, fresh.cert, 0o644);
}

/** A key pair that lives in memory only (tests, embedding without a data dir). */
export function ephemeralStsKeys(): Promise<StsKeys> {
  return generate();
}
