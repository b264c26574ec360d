import { randomUUID } from 'node:crypto';
import { escapeXml } from '../saml/parse-xml.js';
import { signAssertion } from '../saml/sign-assertion.js';
import type { StsKeys } from './sts-keys.js';

export interface AssertionRequest {
  /** `name@domain`. */
  subject: string;
  notBefore: number;
  notOnOrAfter: number;
  /** Without delegation, a ProxyRestriction of 0 forbids passing the token on. */
  delegable: boolean;
  issuer: string;
  audience?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A SAML 2.0 bearer assertion signed by the STS key (enveloped, exclusive c14n, RSA-SHA256). */
export function issueAssertion(keys: StsKeys, request: AssertionRequest): string {
  const id = `_${randomUUID()}`;
  const xml = [
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" IssueInstant="${iso(request.notBefore)}" Version="2.0">`,
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${escapeXml(request.issuer)}</saml2:Issuer>`,
    '<saml2:Subject>',
    `<saml2:NameID Format="http://schemas.xmlsoap.org/claims/UPN">${escapeXml(request.subject)}</saml2:NameID>`,
    '<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">',
    `<saml2:SubjectConfirmationData NotOnOrAfter="${iso(request.notOnOrAfter)}"/>`,
    '</saml2:SubjectConfirmation>',
    '</saml2:Subject>',
    `<saml2:Conditions NotBefore="${iso(request.notBefore)}" NotOnOrAfter="${iso(request.notOnOrAfter)}">`,
    request.audience ? `<saml2:AudienceRestriction><saml2:Audience>${escapeXml(request.audience)}</saml2:Audience></saml2:AudienceRestriction>` : '',
    request.delegable ? '' : '<saml2:ProxyRestriction Count="0"/>',
    '</saml2:Conditions>',
    `<saml2:AuthnStatement AuthnInstant="${iso(request.notBefore)}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>`,
    '</saml2:Assertion>',
  ].join('');
  return signAssertion(xml, keys.key, keys.cert);
}
