import { randomUUID } from 'node:crypto';
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
  /** Raw XML put inside the NameID instead of the escaped subject. */
  nameIdXml?: string;
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
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:${method}"/>`,
    '</saml2:Subject>',
    `<saml2:Conditions NotBefore="${iso(options.notBefore)}" NotOnOrAfter="${iso(options.notOnOrAfter)}">`,
    options.audience ? `<saml2:AudienceRestriction><saml2:Audience>${options.audience}</saml2:Audience></saml2:AudienceRestriction>` : '',
    options.proxyCount === undefined ? '' : `<saml2:ProxyRestriction Count="${options.proxyCount}"/>`,
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
