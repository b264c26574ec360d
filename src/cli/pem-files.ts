import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/options.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of a PEM bundle, each parsed as X.509 now: a damaged one stops the start naming
 * its option, file and position, instead of failing later (at the first TLS handshake or token).
 */
export function pemCertificates(text: string, flag: string, file: string): string[] {
  const certificates = text.match(PEM_CERTIFICATE);
  if (!certificates) throw new ConfigError(`${flag} ${file} holds no PEM certificate`);
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw new ConfigError(`${flag} ${file}: certificate ${index + 1} is not a valid X.509 certificate (${(error as Error).message})`);
    }
  });
  return certificates;
}

/** Checks that `pem` holds a private key; the error names the option and file, never the key. */
export function checkPrivateKey(pem: string | Buffer, flag: string, file: string): void {
  try {
    createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${flag} ${file} holds no valid private key`);
  }
}
