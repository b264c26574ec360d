import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A CSPRNG token of `bytes` random bytes as lowercase hex (16 bytes = 128 bits = 32 characters). */
export function randomHexToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** SHA-256 as lowercase hex: what the stores keep instead of a token. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares two strings without an early exit on the first differing byte. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend a comparison so that the length mismatch is not a fast path.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
