import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicPart } from '../keys/published-signing-key.js';
import { SigningKeyFile, type SigningKeyCodec } from '../keys/signing-key-file.js';

/** The STS signing key and its certificate (PEM); the fingerprint (SHA-256, `AB:CD:…`) names it. */
export interface StsKey {
  key: string;
  cert: string;
  fingerprint: string;
  /** When the certificate was made: the start of its validity. */
  createdAt: number;
}

const pemBlock = (text: string, label: RegExp) => text.match(new RegExp(`-----BEGIN ${label.source}-----[\\s\\S]+?-----END ${label.source}-----\\n?`))?.[0];

function stsKey(key: string, cert: string): StsKey {
  const certificate = new X509Certificate(cert);
  if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error('the certificate is not of the private key');
  return { key, cert, fingerprint: certificate.fingerprint256, createdAt: Date.parse(certificate.validFrom) };
}

/** One PEM file: the private key, then its certificate, so that the two are always replaced together. */
const codec: SigningKeyCodec<StsKey> = {
  what: 'STS signing key',
  // The certificate's validity is wall time, whatever clock the server runs on.
  async generate() {
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
    return stsKey(pems.private, pems.cert);
  },
  id: (key) => key.fingerprint,
  format: (key) => `${key.key.trimEnd()}\n${key.cert.trimEnd()}\n`,
  parse(text) {
    const key = pemBlock(text, /(?:RSA )?PRIVATE KEY/);
    const cert = pemBlock(text, /CERTIFICATE/);
    return key && cert ? stsKey(key, cert) : undefined;
  },
};

/** The key pair of a data dir from before the single file (`sts/key.pem` and `sts/cert.pem`), if there is one. */
async function earlierLayout(dir: string): Promise<StsKey | undefined> {
  try {
    return stsKey(await readFile(join(dir, 'key.pem'), 'utf8'), await readFile(join(dir, 'cert.pem'), 'utf8'));
  } catch {
    return undefined;
  }
}

export type StsKeyFile = SigningKeyFile<StsKey>;

/** Where a data dir keeps its STS signing key and certificate. */
export function stsKeyFile(dataDir: string): string {
  return join(dataDir, 'sts', 'signing.pem');
}

/** The data dir's STS signing key and certificate (`sts/signing.pem`, mode 0600), created on first use. */
export function openStsKeyFile(dataDir: string, now: number): Promise<StsKeyFile> {
  return SigningKeyFile.open(stsKeyFile(dataDir), codec, now, () => earlierLayout(join(dataDir, 'sts')));
}

/** A key pair that lives in memory only (tests, embedding without a data dir). */
export function ephemeralStsKeys(now = Date.now()): Promise<StsKeyFile> {
  return SigningKeyFile.ephemeral(codec, now);
}

/** The certificate, published for every node to verify the STS's tokens with. */
export function stsPublicPart(key: StsKey): PublicPart {
  return { use: 'sts', id: key.fingerprint, material: key.cert, createdAt: key.createdAt };
}
