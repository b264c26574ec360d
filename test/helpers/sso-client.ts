import { X509Certificate } from 'node:crypto';
import { http, type HttpResponse } from './http.js';
import { signedHeader, signHeader, type Issuer } from './saml.js';
import { envelope, requestSecurityToken, signedEnvelope } from './ws-security.js';

export const STS_PATH = '/sts/STSService/vsphere.local';

/**
 * A SAML token from a server's STS for a real-time server: bearer, or holder-of-key bound to
 * `holder` (the request then signed with its key). `ca` trusts an HTTPS server's certificate.
 */
export async function stsToken(url: string, user: string, password: string, options: { holder?: Issuer; ca?: string } = {}): Promise<string> {
  const now = Date.now();
  const { holder, ca } = options;
  const rst = requestSecurityToken({ created: now, expires: now + 600_000, ...(holder ? { keyType: 'PublicKey' } : {}) });
  const body = holder ? signedEnvelope(rst, holder, { user, password, now }) : envelope(rst, { user, password, now });
  const response = await http(`${url}${STS_PATH}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, ...(ca ? { ca } : {}) });
  const token = response.text.match(/<saml2:Assertion[\s\S]*<\/saml2:Assertion>/)?.[0];
  if (response.status !== 200 || !token) throw new Error(`STS Issue failed: ${response.status} ${response.text}`);
  return token;
}

/** `POST /api/session` with a SAML token: bearer, or holder-of-key signed by `holder` as govmomi signs it. */
export function samlSession(url: string, token: string, options: { holder?: Issuer; ca?: string } = {}): Promise<HttpResponse> {
  const { holder, ca } = options;
  const authorization = holder
    ? signedHeader(token, holder, { method: 'POST', path: '/api/session', host: new URL(url).hostname, port: new URL(url).port })
    : signHeader(token);
  return http(`${url}/api/session`, { method: 'POST', headers: { authorization }, ...(ca ? { ca } : {}) });
}

/** The SHA-256 fingerprint of the certificate a token names as its signer. */
export function signerOf(token: string): string {
  return new X509Certificate(Buffer.from(token.match(/<ds:X509Certificate>([^<]+)</)![1]!, 'base64')).fingerprint256;
}

/** The `kid` of a JWT. */
export function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}
