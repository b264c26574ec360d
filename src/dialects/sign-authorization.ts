import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { gunzipSync } from 'node:zlib';
import type { PresentedCredentials } from '../auth/credentials.js';
import { SCHEMES } from '../core/schemes.js';

/** The largest assertion a SIGN header may inflate to: a zip bomb stops here. */
const MAX_ASSERTION_BYTES = 64 * 1024;

/** The assertion of a SIGN token: base64 (or base64url, as the token exchange returns it) of the XML, gzipped or not. */
function assertionOf(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64');
  try {
    const xml = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_ASSERTION_BYTES }) : bytes;
    return xml.toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The text a holder-of-key client signs for an HTTP request (govmomi `sts/signer.go`): nonce, method,
 * path, lower-case host and port, each with a newline, then the SHA-256 of the body and a newline.
 * Candidates for the port the `Host` header names (else the one we listen on), and 80, because
 * govmomi signs 80 whenever its URL names no port, even over https.
 */
function signedTexts(request: FastifyRequest, nonce: string): Buffer[] {
  const host = request.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  const hostname = (colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host).replace(/^\[|\]$/g, '').toLowerCase();
  const hostPort = colon > 0 && !host.endsWith(']') ? host.slice(colon + 1) : String(request.socket.localPort ?? '');
  const path = request.url.split('?', 1)[0]!;
  const bodyHash = createHash('sha256').update(request.rawBody ?? '', 'utf8').digest();
  return [...new Set([hostPort, '80'])].map((port) =>
    Buffer.concat([Buffer.from(`${nonce}\n${request.method}\n${path}\n${hostname}\n${port}\n`, 'utf8'), bodyHash, Buffer.from('\n')]),
  );
}

/**
 * `Authorization: SIGN token="<base64(gzip(assertion))>"`, as govmomi's signer sends it (or the
 * base64url of the assertion a token exchange returned, as it came): the bearer
 * form, or the holder-of-key form that adds `signature_alg`, `signature` and `nonce` over the request.
 */
export function signCredentials(request: FastifyRequest): PresentedCredentials {
  const match = request.headers.authorization?.match(/^SIGN\s+(.*)$/is);
  if (!match) return {};
  const params = new Map<string, string>();
  for (const part of match[1]!.matchAll(/([A-Za-z_]+)\s*=\s*"([^"]*)"/g)) params.set(part[1]!.toLowerCase(), part[2]!);
  const samlToken = assertionOf(params.get('token') ?? '');
  if (samlToken === undefined) return {};
  const signature = params.get('signature');
  if (signature === undefined) return { [SCHEMES.samlBearer]: { samlToken } };
  const nonce = params.get('nonce') ?? '';
  return {
    [SCHEMES.samlHok]: {
      form: 'http',
      samlToken,
      signatureAlgorithm: params.get('signature_alg') ?? '',
      signature,
      nonce,
      signedTexts: signedTexts(request, nonce),
    },
  };
}
