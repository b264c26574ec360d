import { gunzipSync } from 'node:zlib';

/** The largest assertion a SIGN header may inflate to: a zip bomb stops here. */
const MAX_ASSERTION_BYTES = 64 * 1024;

/**
 * `Authorization: SIGN token="<base64(gzip(assertion))>"`, the bearer form govmomi's signer sends.
 * Answers the assertion XML, or undefined for anything else (the holder-of-key form, which also
 * carries `signature=…`, is not accepted yet and counts as no credentials).
 */
export function parseSignAuthorization(header: string | undefined): string | undefined {
  const match = header?.match(/^SIGN\s+(.*)$/is);
  if (!match) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1]!.matchAll(/([A-Za-z_]+)\s*=\s*"([^"]*)"/g)) params.set(part[1]!.toLowerCase(), part[2]!);
  const token = params.get('token');
  if (!token || params.has('signature') || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64');
  try {
    const xml = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_ASSERTION_BYTES }) : bytes;
    return xml.toString('utf8');
  } catch {
    return undefined;
  }
}
