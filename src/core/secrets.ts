import { hash, randomBytes } from 'node:crypto';

// No secret is ever compared with ===: session tokens are found by their SHA-256 (the lookup's
// timing tells nothing about a preimage), passwords are checked by argon2's own constant-time
// verify, and tokens by their signatures.

/** A CSPRNG token of `bytes` random bytes as lowercase hex (16 bytes = 128 bits = 32 characters). */
export function randomHexToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * SHA-256 as lowercase hex: what the stores keep instead of a token. Node's one-shot `hash` (20.12+)
 * makes no Hash object: about a third of `createHash` on every authenticated request.
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
