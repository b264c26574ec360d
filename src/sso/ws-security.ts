import { X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { childElements, firstElement, parseXmlOr } from '../saml/parse-xml.js';
import { DSIG } from '../saml/verify-assertion.js';
import { SOAP_ENV, WSSE, WSU } from './soap.js';

const X509_TOKEN = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const SAML_ID = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID';

/** A SOAP request signed with the key of the certificate in its WS-Security header. */
export interface SignedRequest {
  /** The signer's certificate (the BinarySecurityToken, or the holder's of the token), base64 DER. */
  certificateDer: string;
  /** The first element of the Body, read from the canonical XML the signature covers. */
  operation: Element;
  /** The signature value (base64) as received: one request, one signature, for replay detection. */
  signatureValue: string;
  /** When the request's Timestamp expires (ms). */
  expires: number;
}

/**
 * A holder-of-key token in the Security header that signs the request instead of a certificate
 * (WS-Security SAML token profile): the signature's KeyInfo names the token by its ID, and verifies
 * with the token's holder certificate. The caller has verified the token itself.
 */
export interface TokenSigner {
  assertionId: string;
  /** PEM. */
  holderCertificate: string;
}

/** Why a signed request was refused; for the log only. */
export class SignatureRejected extends Error {
  override name = 'SignatureRejected';
}

function reject(reason: string): never {
  throw new SignatureRejected(reason);
}

function only(parent: Element | undefined, namespace: string, localName: string): Element {
  const found = parent ? childElements(parent, namespace, localName) : [];
  if (found.length !== 1) reject(`expected exactly one ${localName}`);
  return found[0]!;
}

const parse = (xml: string): Document => parseXmlOr(xml, reject);

function time(timestamp: Element, localName: string): number {
  const ms = Date.parse((childElements(timestamp, WSU, localName)[0]?.textContent ?? '').trim());
  if (!Number.isFinite(ms)) reject(`the Timestamp has no valid ${localName}`);
  return ms;
}

/**
 * Verifies a WS-Security signed SOAP request as WS-Trust clients sign it (govmomi, vCenter's SDKs): one
 * X.509 BinarySecurityToken (or, with `tokenSigner`, a holder-of-key token named by the KeyInfo), a Timestamp valid now (within the tolerance), and one signature in the
 * Security header by that certificate's key, whose references are exactly the Timestamp and the Body
 * (by their `wsu:Id`, unique in the document). The body is then read from what was signed, so that
 * nothing outside the signature can be slipped in (signature wrapping).
 */
export function verifySignedRequest(xml: string, now: number, toleranceMs: number, tokenSigner?: TokenSigner): SignedRequest {
  const envelope = parse(xml).documentElement;
  if (!envelope || envelope.namespaceURI !== SOAP_ENV || envelope.localName !== 'Envelope') reject('not a SOAP envelope');
  const security = only(only(envelope, SOAP_ENV, 'Header'), WSSE, 'Security');
  const body = only(envelope, SOAP_ENV, 'Body');
  const signature = only(security, DSIG, 'Signature');
  const certificate = tokenSigner ? tokenCertificate(security, signature, tokenSigner) : binaryTokenCertificate(security);
  const certificateDer = certificate.raw.toString('base64');

  const timestamp = only(security, WSU, 'Timestamp');
  if (now + toleranceMs < time(timestamp, 'Created')) reject('the request was created in the future');
  const expires = time(timestamp, 'Expires');
  if (now - toleranceMs >= expires) reject('the request has expired');

  const bodyId = body.getAttributeNS(WSU, 'Id');
  const timestampId = timestamp.getAttributeNS(WSU, 'Id');
  if (!bodyId || !timestampId) reject('the Body and the Timestamp need a wsu:Id');
  const uris = childElements(only(signature, DSIG, 'SignedInfo'), DSIG, 'Reference').map((reference) => reference.getAttribute('URI'));
  if (uris.length !== 2 || !uris.includes(`#${bodyId}`) || !uris.includes(`#${timestampId}`)) reject('the signature must cover exactly the Body and the Timestamp');

  // Only the certificate of the header verifies; xml-crypto refuses a referenced ID found twice.
  const verifier = new SignedXml({ publicCert: certificate.toString(), getCertFromKeyInfo: () => null });
  let valid = false;
  try {
    verifier.loadSignature(signature);
    valid = verifier.checkSignature(xml);
  } catch (error) {
    reject(`the signature does not verify: ${(error as Error).message}`);
  }
  if (!valid) reject('the signature does not verify');
  const signedBody = verifier
    .getSignedReferences()
    .map((canonical) => parse(canonical).documentElement!)
    .find((element) => element.namespaceURI === SOAP_ENV && element.localName === 'Body');
  const operation = signedBody && firstElement(signedBody);
  if (!operation) reject('the signed Body is empty');
  return { certificateDer, operation, expires, signatureValue: (only(signature, DSIG, 'SignatureValue').textContent ?? '').replace(/\s+/g, '') };
}

/** The certificate of the one X.509 BinarySecurityToken of the header. */
function binaryTokenCertificate(security: Element): X509Certificate {
  const token = only(security, WSSE, 'BinarySecurityToken');
  if (token.getAttribute('ValueType') !== X509_TOKEN) reject('the BinarySecurityToken is not an X.509 certificate');
  try {
    return new X509Certificate(Buffer.from((token.textContent ?? '').replace(/\s+/g, ''), 'base64'));
  } catch {
    return reject('the BinarySecurityToken does not hold a certificate');
  }
}

/** The holder certificate of the token the signature's KeyInfo names by its SAML ID; no other key may be offered. */
function tokenCertificate(security: Element, signature: Element, signer: TokenSigner): X509Certificate {
  if (childElements(security, WSSE, 'BinarySecurityToken').length > 0) reject('a request signed with a token carries no other certificate');
  const reference = only(only(only(signature, DSIG, 'KeyInfo'), WSSE, 'SecurityTokenReference'), WSSE, 'KeyIdentifier');
  if (reference.getAttribute('ValueType') !== SAML_ID || (reference.textContent ?? '').trim() !== signer.assertionId) {
    reject('the signature does not name the token of the header as its key');
  }
  return new X509Certificate(signer.holderCertificate);
}
