import { SignedXml } from 'xml-crypto';

/**
 * Signs a SAML assertion the way vCenter's STS does: enveloped signature over the root, exclusive
 * c14n, RSA-SHA256 and SHA-256 digests, `ds:` prefix, placed right after the Issuer. `cert` goes into
 * KeyInfo when given.
 */
export function signAssertion(xml: string, key: string, cert?: string): string {
  const signer = new SignedXml({
    privateKey: key,
    ...(cert ? { publicCert: cert } : {}),
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  signer.addReference({
    xpath: "/*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: "/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return signer.getSignedXml();
}
