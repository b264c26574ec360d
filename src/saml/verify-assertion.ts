import type { Document, Element, Node } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { childElements as children, descendants as elements, parseXmlOr } from './parse-xml.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const HOLDER_OF_KEY = 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** vCenter's renew restriction, as its STS and this one write it (the prefix is not bound in canonical form). */
export const RENEW_RESTRICTION_TYPE = 'rsa:RenewRestrictionType';
/** SAML 2.0 condition for delegation: who acted for the subject (ActAs), in order. */
export const DELEGATION = 'urn:oasis:names:tc:SAML:2.0:conditions:delegation';
export const DELEGATION_RESTRICTION_TYPE = 'del:DelegationRestrictionType';
/** vCenter's attribute listing the subject's groups, each as `DOMAIN\group`. */
export const GROUP_IDENTITY = 'http://rsa.com/schemas/attr-names/2009/01/GroupIdentity';
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

export interface AssertionPolicy {
  /** PEM certificates of the token issuers this server trusts. */
  trustedCertificates: readonly string[];
  /** When set, the assertion's AudienceRestriction must name it. */
  audience?: string;
  /** Allowed clock skew for NotBefore / NotOnOrAfter. */
  clockToleranceMs: number;
  /** Largest assertion accepted, in bytes. */
  maxBytes: number;
}

/** One who acted for the subject: the NameID of a solution user that obtained the token by ActAs. */
export interface Delegate {
  name: string;
  /** When the delegation happened (DelegationInstant). */
  instant: number;
}

export interface VerifiedAssertion {
  /** The assertion's `ID`. */
  id: string;
  /** The NameID, e.g. `administrator@vsphere.local`. */
  subject: string;
  notBefore: number;
  notOnOrAfter: number;
  confirmation: 'bearer' | 'holder-of-key';
  /** False when a ProxyRestriction forbids passing the token on (Count="0"). */
  delegable: boolean;
  /** How many more times the token may be renewed: the Count of its renew restriction, 0 without one. */
  renewals: number;
  /** Holder-of-key: the PEM certificate whose key must sign each use of the token. */
  holderCertificate?: string;
  /** The values of the GroupIdentity attribute (`DOMAIN\group`), as the issuer wrote them. */
  groups: string[];
  /** The delegation chain, first actor first; empty unless the token was issued by ActAs. */
  delegates: Delegate[];
}

/** The plain-text values of the GroupIdentity attributes. */
function groupsOf(assertion: Element): string[] {
  return children(assertion, SAML, 'AttributeStatement')
    .flatMap((statement) => children(statement, SAML, 'Attribute'))
    .filter((attribute) => attribute.getAttribute('Name') === GROUP_IDENTITY)
    .flatMap((attribute) => children(attribute, SAML, 'AttributeValue'))
    .filter(isPlainText)
    .map((value) => (value.textContent ?? '').trim())
    .filter((value) => value !== '');
}

/** Why an assertion was refused; for the log only (clients see one UNAUTHENTICATED). */
export class AssertionRejected extends Error {
  override name = 'AssertionRejected';
}

function reject(reason: string): never {
  throw new AssertionRejected(reason);
}

const parse = (xml: string): Document => parseXmlOr(xml, reject);

function one(parent: Element, namespace: string, localName: string, what: string): Element {
  const found = children(parent, namespace, localName);
  if (found.length !== 1) reject(`expected exactly one ${what}`);
  return found[0]!;
}

/** Every element carrying `value` in an ID-like attribute: a second one is a wrapping attempt. */
function countIds(doc: Document, value: string): number {
  let count = 0;
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== ELEMENT_NODE) continue;
      const element = child as Element;
      for (const name of ['ID', 'Id', 'id', 'AssertionID']) if (element.getAttribute(name) === value) count++;
      walk(element);
    }
  };
  walk(doc);
  return count;
}

/** Exactly one text node and nothing else. */
function isPlainText(element: Element): boolean {
  return element.firstChild !== null && element.firstChild === element.lastChild && element.firstChild.nodeType === TEXT_NODE;
}

function time(element: Element, name: string): number {
  const text = element.getAttribute(name);
  const ms = text ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) reject(`missing or invalid ${name}`);
  return ms;
}

/** The signed assertion, canonicalized as signed, or a rejection. Structure first, then cryptography. */
function signedAssertion(xml: string, certificates: readonly string[]): string {
  const doc = parse(xml);
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAML || root.localName !== 'Assertion') reject('the root is not a SAML 2.0 Assertion');
  const id = root.getAttribute('ID');
  if (!id) reject('the assertion has no ID');
  if (countIds(doc, id) !== 1) reject('the assertion ID appears more than once');
  // Comments or elements inside a NameID (as received) are an injection attempt, even though the
  // canonical form we read later would drop comments.
  if (elements(doc, SAML, 'NameID').some((nameId) => !isPlainText(nameId))) reject('the NameID is not plain text');
  const signatures = elements(doc, DSIG, 'Signature');
  if (signatures.length !== 1 || signatures[0]!.parentNode !== root) reject('expected exactly one signature, a child of the assertion');
  const references = elements(signatures[0]!, DSIG, 'Reference');
  if (references.length !== 1 || references[0]!.getAttribute('URI') !== `#${id}`) reject('the signature does not reference the assertion itself');
  for (const certificate of certificates) {
    // Keys in KeyInfo are never used: only the issuers this server trusts can vouch for a token.
    const verifier = new SignedXml({ publicCert: certificate, getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(signatures[0]!);
      if (verifier.checkSignature(xml)) {
        const signed = verifier.getSignedReferences();
        if (signed.length === 1) return signed[0]!;
      }
    } catch {
      // A malformed signature, or one that does not verify with this certificate; try the next.
    }
  }
  return reject('no trusted certificate verifies the signature');
}

/** The certificate in SubjectConfirmationData/KeyInfo/X509Data, as PEM. */
function holderCertificate(subject: Element): string {
  const data = children(children(subject, SAML, 'SubjectConfirmation')[0]!, SAML, 'SubjectConfirmationData')[0];
  const der = data && elements(data, DSIG, 'X509Certificate')[0];
  const base64 = (der?.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) reject('a holder-of-key token without a certificate');
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The Count of the renew restriction condition, 0 when there is none. */
function renewals(conditions: Element): number {
  const restriction = children(conditions, SAML, 'Condition').find((condition) => condition.getAttributeNS(XSI, 'type') === RENEW_RESTRICTION_TYPE);
  if (!restriction) return 0;
  const count = restriction.getAttribute('Count') ?? '';
  if (!/^\d{1,9}$/.test(count)) reject('invalid renew restriction');
  return Number(count);
}

/** The Delegates of the delegation restriction conditions, in document order. */
function delegates(conditions: Element): Delegate[] {
  return children(conditions, SAML, 'Condition')
    .filter((condition) => condition.getAttributeNS(XSI, 'type') === DELEGATION_RESTRICTION_TYPE)
    .flatMap((condition) => children(condition, DELEGATION, 'Delegate'))
    .map((delegate) => {
      const nameId = one(delegate, SAML, 'NameID', 'delegate NameID');
      if (!isPlainText(nameId)) reject('a delegate NameID is not plain text');
      return { name: (nameId.textContent ?? '').trim(), instant: time(delegate, 'DelegationInstant') };
    });
}

/**
 * Verifies a SAML 2.0 assertion and reads its claims from the signed content only (the canonical
 * XML xml-crypto verified), never from the document as received, so that nothing outside the
 * signature can be slipped in.
 */
export function verifyAssertion(xml: string, policy: AssertionPolicy, now: number): VerifiedAssertion {
  if (Buffer.byteLength(xml, 'utf8') > policy.maxBytes) reject('assertion too large');
  const assertion = parse(signedAssertion(xml, policy.trustedCertificates)).documentElement!;
  const subject = one(assertion, SAML, 'Subject', 'Subject');
  const nameId = one(subject, SAML, 'NameID', 'NameID');
  if (!isPlainText(nameId)) reject('the NameID is not plain text');
  const name = (nameId.textContent ?? '').trim();
  if (name === '') reject('empty NameID');
  const conditions = one(assertion, SAML, 'Conditions', 'Conditions');
  const notBefore = time(conditions, 'NotBefore');
  const notOnOrAfter = time(conditions, 'NotOnOrAfter');
  if (now + policy.clockToleranceMs < notBefore) reject('the assertion is not valid yet');
  if (now - policy.clockToleranceMs >= notOnOrAfter) reject('the assertion has expired');
  if (policy.audience !== undefined) {
    const audiences = children(conditions, SAML, 'AudienceRestriction').flatMap((restriction) =>
      children(restriction, SAML, 'Audience').map((audience) => (audience.textContent ?? '').trim()),
    );
    if (!audiences.includes(policy.audience)) reject('the assertion is for another audience');
  }
  const methods = children(subject, SAML, 'SubjectConfirmation').map((confirmation) => confirmation.getAttribute('Method'));
  if (methods.length !== 1) reject('expected exactly one SubjectConfirmation');
  const confirmation = methods[0] === BEARER ? 'bearer' : methods[0] === HOLDER_OF_KEY ? 'holder-of-key' : reject('unknown confirmation method');
  const proxy = children(conditions, SAML, 'ProxyRestriction')[0];
  const verified: VerifiedAssertion = {
    id: assertion.getAttribute('ID')!,
    subject: name,
    notBefore,
    notOnOrAfter,
    confirmation,
    delegable: proxy?.getAttribute('Count') !== '0',
    renewals: renewals(conditions),
    groups: groupsOf(assertion),
    delegates: delegates(conditions),
  };
  if (confirmation === 'holder-of-key') verified.holderCertificate = holderCertificate(subject);
  return verified;
}
