import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * TLS 1.2 and 1.3 with AEAD suites and forward secrecy only. Node's default list also offers the
 * CBC-SHA1 suites of TLS 1.2 (through `HIGH`), which are open to padding-oracle and Lucky13 attacks.
 * Every TLS 1.3 suite is AEAD.
 */
const AEAD_SUITES = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
];

export const TLS_POLICY: Pick<TlsOptions & SecureContextOptions, 'minVersion' | 'ciphers' | 'honorCipherOrder'> = {
  minVersion: 'TLSv1.2',
  ciphers: AEAD_SUITES.join(':'),
  honorCipherOrder: true,
};
