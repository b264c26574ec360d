import { beforeAll, describe, expect, it } from 'vitest';
import { assertionXml, derOf, sign, testIssuer, type Issuer } from '../../test/helpers/saml.js';
import { AssertionRejected, verifyAssertion, type AssertionPolicy } from './verify-assertion.js';

const NOW = Date.UTC(2025, 0, 1, 12);
const HOUR = 3_600_000;
let trusted: Issuer;
let stranger: Issuer;
let policy: AssertionPolicy;

beforeAll(async () => {
  [trusted, stranger] = await Promise.all([testIssuer('trusted'), testIssuer('stranger')]);
  policy = { trustedCertificates: [trusted.cert], audience: 'vapi-auth', clockToleranceMs: 10_000, maxBytes: 65_536 };
});

const valid = (extra: Partial<Parameters<typeof assertionXml>[0]> = {}) =>
  assertionXml({ notBefore: NOW - HOUR, notOnOrAfter: NOW + HOUR, audience: 'vapi-auth', ...extra });

function reason(xml: string, at = NOW, with_: AssertionPolicy = policy): string {
  try {
    verifyAssertion(xml, with_, at);
  } catch (error) {
    if (error instanceof AssertionRejected) return error.message;
    throw error;
  }
  throw new Error('expected the assertion to be refused');
}

describe('a SAML bearer assertion', () => {
  it('is accepted when signed by a trusted issuer, with its claims', () => {
    expect(verifyAssertion(sign(valid({ proxyCount: 5 }), trusted), policy, NOW)).toEqual({
      id: expect.stringMatching(/^_/),
      subject: 'administrator@vsphere.local',
      notBefore: NOW - HOUR,
      notOnOrAfter: NOW + HOUR,
      confirmation: 'bearer',
      delegable: true,
      renewals: 0,
      groups: [],
      delegates: [],
    });
  });

  it('refuses a malformed signature as a rejection, not a failure of the server', () => {
    const signed = sign(valid(), trusted);
    expect(reason(signed.replace('<ds:Transforms><ds:Transform', '<ds:Transforms>ds:Transform'))).toMatch(/no trusted certificate/);
    expect(reason(signed.replace(/<ds:SignatureMethod [^>]*\/>/, ''))).toMatch(/no trusted certificate/);
    expect(reason(signed.replace(/<ds:CanonicalizationMethod [^>]*\/>/, ''))).toMatch(/no trusted certificate/);
    expect(reason(signed.replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/, ''))).toMatch(/no trusted certificate/);
  });

  it('reads how often a token may be renewed from its renew restriction, and refuses a malformed count', () => {
    expect(verifyAssertion(sign(valid({ renewCount: 3 }), trusted), policy, NOW).renewals).toBe(3);
    expect(reason(sign(valid({ renewCount: '-1' }), trusted))).toMatch(/invalid renew restriction/);
    expect(reason(sign(valid({ renewCount: '1e9' }), trusted))).toMatch(/invalid renew restriction/);
  });

  it('reports holder-of-key tokens with their certificate, and non-delegable ones, for the caller to check', () => {
    const verified = verifyAssertion(sign(valid({ method: 'holder-of-key', proxyCount: 0, holderCertificate: derOf(stranger.cert) }), trusted), policy, NOW);
    expect(verified).toMatchObject({ confirmation: 'holder-of-key', delegable: false });
    expect(derOf(verified.holderCertificate!)).toBe(derOf(stranger.cert));
    expect(reason(sign(valid({ method: 'holder-of-key' }), trusted))).toMatch(/holder-of-key token without a certificate/);
  });
});

describe('attacks on SAML assertions, each refused', () => {
  it('unsigned assertion', () => {
    expect(reason(valid())).toMatch(/exactly one signature/);
  });

  it('signed by an untrusted issuer whose certificate rides along in KeyInfo', () => {
    expect(reason(sign(valid(), stranger, true))).toMatch(/no trusted certificate/);
  });

  it('tampered subject after signing', () => {
    const signed = sign(valid({ subject: 'reader@vsphere.local' }), trusted);
    expect(reason(signed.replace('reader@vsphere.local', 'administrator@vsphere.local'))).toMatch(/no trusted certificate/);
  });

  it('signature wrapping: a forged assertion wrapping the signed one (XSW1/2 shapes)', () => {
    const genuine = sign(valid({ subject: 'reader@vsphere.local' }), trusted);
    const forged = valid({ subject: 'administrator@vsphere.local', id: '_evil' }).replace('</saml2:Assertion>', `${genuine}</saml2:Assertion>`);
    expect(reason(forged)).toMatch(/exactly one signature, a child of the assertion/);
  });

  it('signature wrapping: the signed assertion hidden in an extension of a forged one (XSW3–8 shapes)', () => {
    const genuine = sign(valid({ subject: 'reader@vsphere.local' }), trusted);
    const id = genuine.match(/ID="([^"]+)"/)![1]!;
    const signature = genuine.match(/<(ds:)?Signature[\s\S]*<\/(ds:)?Signature>/)![0];
    // Same ID on the forged root, the signature moved to it, the genuine assertion tucked away.
    const forged = valid({ subject: 'administrator@vsphere.local', id })
      .replace('</saml2:Issuer>', `</saml2:Issuer>${signature}`)
      .replace('</saml2:Assertion>', `<saml2:Advice>${genuine.replace(signature, '')}</saml2:Advice></saml2:Assertion>`);
    expect(reason(forged)).toMatch(/ID appears more than once/);
    const renamed = forged.replace(`<saml2:Advice><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}"`, '<saml2:Advice><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_other"');
    expect(reason(renamed)).toMatch(/no trusted certificate/);
  });

  it('a reference to something other than the assertion itself', () => {
    const signed = sign(valid(), trusted);
    const id = signed.match(/ID="([^"]+)"/)![1]!;
    expect(reason(signed.replace(`URI="#${id}"`, 'URI=""'))).toMatch(/does not reference the assertion itself/);
  });

  it('comment injection in the NameID', () => {
    const signed = sign(valid({ nameIdXml: 'administrator@vsphere.local<!---->.evil.example' }), trusted);
    expect(reason(signed)).toMatch(/NameID is not plain text/);
  });

  it('expired, not yet valid, and just inside the clock tolerance', () => {
    const signed = sign(valid(), trusted);
    expect(reason(signed, NOW + HOUR + 10_000)).toMatch(/expired/);
    expect(reason(signed, NOW - HOUR - 10_001)).toMatch(/not valid yet/);
    expect(verifyAssertion(signed, policy, NOW + HOUR + 9_999).subject).toBe('administrator@vsphere.local');
  });

  it('a token for another audience', () => {
    expect(reason(sign(valid({ audience: 'someone-else' }), trusted))).toMatch(/another audience/);
  });

  it('DOCTYPE, external entities and entity expansion, refused before parsing and fast', () => {
    const started = process.hrtime.bigint();
    const bombs = [
      `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>${valid({ nameIdXml: '&x;' })}`,
      `<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${valid({ nameIdXml: '&c;' })}`,
      `<?xml version="1.0"?><!doctype x SYSTEM "http://169.254.169.254/">${valid()}`,
    ];
    for (const bomb of bombs) expect(reason(bomb)).toMatch(/DTDs are not allowed/);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('malformed XML, another root, and oversized input', () => {
    expect(reason('<saml2:Assertion')).toMatch(/not well-formed|root/);
    expect(reason(sign(valid(), trusted).replaceAll('saml2:Assertion', 'saml2:Evidence'))).toMatch(/not a SAML 2.0 Assertion/);
    expect(reason(valid({ subject: 'x'.repeat(70_000) }))).toMatch(/too large/);
  });
});
