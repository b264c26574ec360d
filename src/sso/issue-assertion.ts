import { randomUUID } from 'node:crypto';
import { escapeXml, escapeXmlText } from '../saml/escape-xml.js';
import { signAssertion } from '../saml/sign-assertion.js';
import { DELEGATION, DELEGATION_RESTRICTION_TYPE, GROUP_IDENTITY, RENEW_RESTRICTION_TYPE, type Delegate } from '../saml/verify-assertion.js';
import type { StsKey } from './sts-keys.js';
import type { StsPolicy } from './sts-service.js';

export interface AssertionRequest {
  /** The account the token names: `name@domain`, with its groups' keys (`name@domain`) when it is a directory user. */
  subject: { name: string; domain: string; groups?: readonly string[] };
  notBefore: number;
  notOnOrAfter: number;
  /** Without delegation, a ProxyRestriction of 0 forbids passing the token on. */
  delegable: boolean;
  /** How many more times the token may be renewed (WS-Trust `Renew`); 0 = never. */
  renewals: number;
  /** Base64 DER of the certificate a holder-of-key token is bound to; a bearer token when absent. */
  holderCertificate?: string;
  /** The subject is a solution user (vCenter's "Subject Type" attribute). */
  solution?: boolean;
  /** Who acted for the subject (ActAs), first actor first; each is written as a delegation restriction. */
  delegates?: readonly Delegate[];
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** vCenter's namespace of the renew restriction condition. */
const RSA_SAML = 'http://www.rsa.com/names/2009/12/std-ext/SAML2.0';

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
    `<saml2:SubjectConfirmationData xmlns:xsi="${XSI}" xsi:type="saml2:KeyInfoConfirmationDataType">`,
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${request.holderCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    '</saml2:SubjectConfirmationData>',
    '</saml2:SubjectConfirmation>',
  ];
}

function attribute(friendlyName: string, name: string, ...values: string[]): string {
  return [
    `<saml2:Attribute FriendlyName="${friendlyName}" Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">`,
    ...values.map((value) => `<saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="${XSI}" xsi:type="xs:string">${escapeXmlText(value)}</saml2:AttributeValue>`),
    '</saml2:Attribute>',
  ].join('');
}

/**
 * One delegation restriction per delegate, in the shape govmomi models it (one Delegate each), so
 * that its hand-written canonical form of a token it passes on (ActAs, Renew) stays exact.
 */
function delegation(delegates: readonly Delegate[]): string[] {
  return delegates.map((delegate) =>
    [
      `<saml2:Condition xmlns:del="${DELEGATION}" xmlns:xsi="${XSI}" xsi:type="${DELEGATION_RESTRICTION_TYPE}">`,
      `<del:Delegate DelegationInstant="${iso(delegate.instant)}">`,
      `<saml2:NameID Format="http://schemas.xmlsoap.org/claims/UPN">${escapeXmlText(delegate.name)}</saml2:NameID>`,
      '</del:Delegate></saml2:Condition>',
    ].join(''),
  );
}

/** A group key (`admins@example.com`) as vCenter's tokens name groups: `EXAMPLE.COM\admins`. */
function groupIdentity(key: string): string {
  const at = key.lastIndexOf('@');
  return `${key.slice(at + 1).toUpperCase()}\\${key.slice(0, at)}`;
}

/**
 * A SAML 2.0 assertion (bearer or holder-of-key) signed by the STS key (enveloped, exclusive c14n,
 * RSA-SHA256).
 *
 * The layout is vCenter's, element for element and namespace declaration for namespace declaration:
 * govmomi signs its `Renew` requests over a canonical form it writes by hand from its model of
 * vCenter's tokens, and that form equals the exclusive canonicalization of the token only when the
 * token has exactly this shape (the `ds:` prefix, `xmlns:xsi` where `xsi:type` is used, every
 * section present, the conditions govmomi models first). An AudienceRestriction, which govmomi does
 * not model, is written only when an audience is configured.
 */
export function issueAssertion(keys: StsKey, policy: Pick<StsPolicy, 'issuer' | 'audience'>, request: AssertionRequest): string {
  const id = `_${randomUUID()}`;
  const { name, domain } = request.subject;
  const xml = [
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" IssueInstant="${iso(request.notBefore)}" Version="2.0">`,
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${escapeXmlText(policy.issuer)}</saml2:Issuer>`,
    '<saml2:Subject>',
    `<saml2:NameID Format="http://schemas.xmlsoap.org/claims/UPN">${escapeXmlText(`${name}@${domain}`)}</saml2:NameID>`,
    ...confirmation(request),
    '</saml2:Subject>',
    `<saml2:Conditions NotBefore="${iso(request.notBefore)}" NotOnOrAfter="${iso(request.notOnOrAfter)}">`,
    request.delegable ? '' : '<saml2:ProxyRestriction Count="0"/>',
    ...delegation(request.delegates ?? []),
    request.renewals > 0
      ? `<saml2:Condition xmlns:rsa="${RSA_SAML}" xmlns:xsi="${XSI}" Count="${request.renewals}" xsi:type="${RENEW_RESTRICTION_TYPE}"/>`
      : '',
    policy.audience ? `<saml2:AudienceRestriction><saml2:Audience>${escapeXml(policy.audience)}</saml2:Audience></saml2:AudienceRestriction>` : '',
    '</saml2:Conditions>',
    `<saml2:AuthnStatement AuthnInstant="${iso(request.notBefore)}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>`,
    '<saml2:AttributeStatement>',
    attribute('givenName', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', name),
    attribute('surname', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', domain),
    attribute('Subject Type', 'http://vmware.com/schemas/attr-names/2011/07/isSolution', String(request.solution === true)),
    request.subject.groups?.length ? attribute('Groups', GROUP_IDENTITY, ...request.subject.groups.map(groupIdentity)) : '',
    '</saml2:AttributeStatement>',
    '</saml2:Assertion>',
  ].join('');
  return signAssertion(xml, keys.key, keys.cert);
}
