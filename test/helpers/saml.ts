import { createHash, createSign, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import { signAssertion } from '../../src/saml/sign-assertion.js';

export interface Issuer {
  cert: string;
  key: string;
}

/** A token issuer of our own for tests: an RSA key and its self-signed certificate. */
export async function testIssuer(name = 'test-sts'): Promise<Issuer> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
  return { cert: pems.cert, key: pems.private };
}

export interface AssertionOptions {
  id?: string;
  subject?: string;
  /** Milliseconds since the epoch. */
  notBefore: number;
  notOnOrAfter: number;
  audience?: string;
  method?: 'bearer' | 'holder-of-key';
  proxyCount?: number;
  /** Count of a renew restriction condition, as vCenter's STS writes it. */
  renewCount?: number | string;
  /** Raw XML put inside the NameID instead of the escaped subject. */
  nameIdXml?: string;
  /** Base64 DER of the holder's certificate (with method holder-of-key). */
  holderCertificate?: string;
}

/** An unsigned SAML 2.0 assertion. */
export function assertionXml(options: AssertionOptions): string {
  const id = options.id ?? `_${randomUUID()}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const method = options.method === 'holder-of-key' ? 'holder-of-key' : 'bearer';
  return [
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" IssueInstant="${iso(options.notBefore)}" Version="2.0">`,
    '<saml2:Issuer>https://sts.test/</saml2:Issuer>',
    '<saml2:Subject>',
    `<saml2:NameID Format="http://schemas.xmlsoap.org/claims/UPN">${options.nameIdXml ?? options.subject ?? 'administrator@vsphere.local'}</saml2:NameID>`,
    options.holderCertificate
      ? `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:${method}"><saml2:SubjectConfirmationData><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${options.holderCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></saml2:SubjectConfirmationData></saml2:SubjectConfirmation>`
      : `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:${method}"/>`,
    '</saml2:Subject>',
    `<saml2:Conditions NotBefore="${iso(options.notBefore)}" NotOnOrAfter="${iso(options.notOnOrAfter)}">`,
    options.audience ? `<saml2:AudienceRestriction><saml2:Audience>${options.audience}</saml2:Audience></saml2:AudienceRestriction>` : '',
    options.proxyCount === undefined ? '' : `<saml2:ProxyRestriction Count="${options.proxyCount}"/>`,
    options.renewCount === undefined
      ? ''
      : `<saml2:Condition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Count="${options.renewCount}" xsi:type="rsa:RenewRestrictionType"/>`,
    '</saml2:Conditions>',
    '</saml2:Assertion>',
  ].join('');
}

/** Signs the assertion as an STS does; with `withKeyInfo` the issuer's certificate rides along in KeyInfo. */
export function sign(xml: string, issuer: Issuer, withKeyInfo = false): string {
  return signAssertion(xml, issuer.key, withKeyInfo ? issuer.cert : undefined);
}

/** `Authorization: SIGN token="…"` as govmomi's signer sends a bearer token: base64 of the gzipped XML. */
export function signHeader(xml: string): string {
  return `SIGN token="${gzipSync(Buffer.from(xml, 'utf8')).toString('base64')}"`;
}

/** Base64 DER of a PEM certificate. */
export function derOf(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** The SIGN header of a holder-of-key request, signed the way govmomi signs it. */
export function signedHeader(xml: string, holder: Issuer, request: { method: string; path: string; host: string; port: string; body?: string }, nonce = `${Date.now()}:${Math.floor(Math.random() * 1e9)}`): string {
  const bodyHash = createHash('sha256').update(request.body ?? '').digest();
  const text = Buffer.concat([Buffer.from(`${nonce}\n${request.method}\n${request.path}\n${request.host}\n${request.port}\n`), bodyHash, Buffer.from('\n')]);
  const signature = createSign('sha256').update(text).sign(holder.key, 'base64');
  return `${signHeader(xml)}, signature_alg="RSA-SHA256", signature="${signature}", nonce="${nonce}", bodyhash="${bodyHash.toString('base64')}"`;
}

/** A JSON-RPC `invoke` of Session.create authenticated by a SAML bearer token in the security context. */
export function jsonRpcSamlCreate(samlToken: string) {
  return {
    jsonrpc: '2.0',
    method: 'invoke',
    id: '1',
    params: {
      serviceId: 'com.vmware.cis.session',
      operationId: 'create',
      input: { STRUCTURE: { 'operation-input': {} } },
      ctx: { appCtx: {}, securityCtx: { schemeId: 'com.vmware.vapi.std.security.saml_bearer_token', samlToken } },
    },
  };
}
