import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { PublicPart } from '../keys/published-signing-key.js';
import { SigningKeyFile, type SigningKeyCodec } from '../keys/signing-key-file.js';

/** The one signing algorithm; verifiers accept nothing else, so `none` and HS/RS confusion cannot be expressed. */
export const JWT_ALGORITHM = 'EdDSA';

/** A JWT signing key: its private half stays in the data dir, its public half is published. */
export interface JwtKey {
  kid: string;
  createdAt: number;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The file holds `{"keys": [...]}`, the newest last: the layout of earlier versions, which kept retired keys too. */
const codec: SigningKeyCodec<JwtKey> = {
  what: 'JWT signing key',
  async generate(now) {
    const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM, { crv: 'Ed25519', extractable: true });
    // Hex, so that a kid never starts with "-" and can be passed to `vapi-auth keys revoke` as it is.
    const kid = randomBytes(12).toString('hex');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: JWT_ALGORITHM, use: 'sig' };
    return { kid, createdAt: now, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: JWT_ALGORITHM }, publicJwk };
  },
  id: (key) => key.kid,
  format: (key) => `${JSON.stringify({ keys: [key] }, null, 2)}\n`,
  parse(text) {
    const parsed = JSON.parse(text) as { keys?: unknown } | null;
    return Array.isArray(parsed?.keys) ? (parsed.keys.at(-1) as JwtKey | undefined) : undefined;
  },
};

/** Where a data dir keeps its JWT signing key. */
export function jwtKeyFile(dataDir: string): string {
  return join(dataDir, 'jwt', 'keys.json');
}

export type JwtKeyFile = SigningKeyFile<JwtKey>;

/** The data dir's JWT signing key (`jwt/keys.json`, mode 0600), created on first use. */
export function openJwtKeyFile(dataDir: string, now: number): Promise<JwtKeyFile> {
  return SigningKeyFile.open(jwtKeyFile(dataDir), codec, now);
}

/** A JWT signing key that lives in memory only (tests, embedding without a data dir). */
export function ephemeralJwtKey(now: number): Promise<JwtKeyFile> {
  return SigningKeyFile.ephemeral(codec, now);
}

/** The public JWK, published for every node (and the JWKS) to verify with. */
export function jwtPublicPart(key: JwtKey): PublicPart {
  return { use: 'jwt', id: key.kid, material: JSON.stringify(key.publicJwk), createdAt: key.createdAt };
}
