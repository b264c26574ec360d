/** The base64 DER of the first certificate of a PEM chain. */
export function certificateDer(pem: string | Buffer | undefined): string | undefined {
  return pem?.toString().match(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/)?.[1]!.replace(/\s+/g, '');
}
