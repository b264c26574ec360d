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
  /** Base64 DER of the certificate a holder-of-key token is bound to; a bearer token when absent. */
  holderCertificate?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The SubjectConfirmation: bearer, or holder-of-key naming the certificate whose key must sign each use. */
function confirmation(request: AssertionRequest): string[] {
  if (!request.holderCertificate) {
    return [
      '<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">',
      `<saml2:SubjectConfirmationData NotOnOrAfter="${iso(request.notOnOrAfter)}"/>`,
      '</saml2:SubjectConfirmation>',
    ];
  }
  return [
    '<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key">',
    '<saml2:SubjectConfirmationData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="saml2:KeyInfoConfirmationDataType">',
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${request.holderCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    '</saml2:SubjectConfirmationData>',
    '</saml2:SubjectConfirmation>',
  ];
}

/** A SAML 2.0 assertion (bearer or holder-of-key) signed by the STS key (enveloped, exclusive c14n, RSA-SHA256). */
export function issueAssertion(keys: StsKeys, request: AssertionRequest): string {
  const id = `_${randomUUID()}`;
  const xml = [
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" IssueInstant="${iso(request.notBefore)}" Version="2.0">`,
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${escapeXml(request.issuer)}</saml2:Issuer>`,
    '<saml2:Subject>',
    `<saml2:NameID Format="http://schemas.xmlsoap.org/claims/UPN">${escapeXml(request.subject)}</saml2:NameID>`,
    ...confirmation(request),
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
