import { beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { derOf, testIssuer, type Issuer } from '../../test/helpers/saml.js';
import { envelope, requestSecurityToken, signedEnvelope } from '../../test/helpers/ws-security.js';
import { SignatureRejected, verifySignedRequest } from './ws-security.js';

const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const NOW = Date.UTC(2026, 0, 1, 12);
const TOLERANCE = 60_000;
let holder: Issuer;
let other: Issuer;

beforeAll(async () => {
  [holder, other] = await Promise.all([testIssuer('holder'), testIssuer('other')]);
});

const body = requestSecurityToken({ expires: NOW + 600_000 });
const signed = () => signedEnvelope(body, holder, { now: NOW });

function refused(xml: string, now = NOW): string {
  try {
    verifySignedRequest(xml, now, TOLERANCE);
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureRejected);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('verifySignedRequest', () => {
  it('returns the signer\'s certificate and the operation as signed', () => {
    const { certificateDer, operation } = verifySignedRequest(signed(), NOW, TOLERANCE);
    expect(certificateDer).toBe(derOf(holder.cert));
    expect(operation.localName).toBe('RequestSecurityToken');
  });

  it('tampering: a changed Body or Timestamp is refused', () => {
    expect(refused(signed().replace('<Delegatable>true', '<Delegatable>false'))).toMatch(/does not verify/);
    expect(refused(signed().replace(/(<wsu:Expires>)[^<]+/, `$1${new Date(NOW + 3_600_000).toISOString()}`))).toMatch(/does not verify/);
  });

  it('key substitution: the certificate of another key in the BinarySecurityToken is refused', () => {
    const xml = signedEnvelope(body, other, { now: NOW });
    expect(refused(xml.replace(derOf(other.cert), derOf(holder.cert)))).toMatch(/does not verify/);
  });

  it('replay: a request outside its Timestamp (with the tolerance) is refused', () => {
    expect(refused(signed(), NOW + 60_000 + TOLERANCE)).toMatch(/expired/);
    expect(refused(signed(), NOW - TOLERANCE - 1)).toMatch(/future/);
    expect(() => verifySignedRequest(signed(), NOW + 60_000 + TOLERANCE - 1, TOLERANCE)).not.toThrow();
  });

  it('signature wrapping: the signed Body moved into the header, another Body in its place, is refused', () => {
    const xml = signed();
    const original = xml.match(/<soap:Body[\s\S]*<\/soap:Body>/)![0];
    const wrapped = xml
      .replace('</wsse:Security>', `</wsse:Security><Wrapper>${original.replace('soap:Body', 'soap:Fake').replace('</soap:Body>', '</soap:Fake>')}</Wrapper>`)
      .replace(original, `<soap:Body xmlns:wsu="${WSU}">${requestSecurityToken({ expires: NOW + 99_000_000 })}</soap:Body>`);
    expect(refused(wrapped)).toMatch(/wsu:Id/);
    const sameId = wrapped.replace(`<soap:Body xmlns:wsu="${WSU}">`, `<soap:Body xmlns:wsu="${WSU}" wsu:Id="_body">`);
    expect(refused(sameId)).toMatch(/does not verify|same value/);
  });

  it('algorithm confusion: an HMAC signature keyed with the public certificate is refused', () => {
    const xml = envelope(body, { now: NOW, certificate: derOf(holder.cert) });
    const signer = new SignedXml({
      privateKey: new X509Certificate(holder.cert).toString(),
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
      idMode: 'wssecurity',
    });
    signer.enableHMAC();
    for (const id of ['_ts', '_body']) {
      signer.addReference({ xpath: `//*[@*[local-name(.)='Id']='${id}']`, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'] });
    }
    signer.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Security']", action: 'append' } });
    expect(refused(signer.getSignedXml())).toMatch(/does not verify/);
  });

  it('a signature that leaves out the Body, or covers something else too, is refused', () => {
    const onlyTimestamp = signed().replace(/<ds:Reference URI="#_body">[\s\S]*?<\/ds:Reference>/, '');
    expect(refused(onlyTimestamp)).toMatch(/exactly the Body and the Timestamp/);
  });

  it('refuses a malformed signature as a rejection, not a failure of the server', () => {
    expect(refused(signed().replace('<ds:Transforms><ds:Transform', '<ds:Transforms>ds:Transform'))).toMatch(/does not verify/);
    expect(refused(signed().replace(/<ds:SignatureMethod [^>]*\/>/, ''))).toMatch(/does not verify/);
  });

  it('refuses an unsigned request, a missing or second BinarySecurityToken, a DTD', () => {
    expect(refused(envelope(body, { now: NOW }))).toMatch(/one Signature/);
    const xml = signed();
    const token = xml.match(/<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/)![0];
    expect(refused(xml.replace(token, ''))).toMatch(/BinarySecurityToken/);
    expect(refused(xml.replace(token, token + token.replace('_bst', '_bst2')))).toMatch(/BinarySecurityToken/);
    expect(refused(`<!DOCTYPE x [<!ENTITY e "e">]>${xml}`)).toMatch(/DTD/);
    expect(refused(xml.replace(/(BinarySecurityToken[^>]*>)[^<]+/, '$1bm90IGEgY2VydGlmaWNhdGU='))).toMatch(/does not hold a certificate/);
  });
});
