import { SignedXml } from 'xml-crypto';
import { derOf, type Issuer } from './saml.js';

export const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const iso = (ms: number) => new Date(ms).toISOString();

export interface RequestOptions {
  requestType?: 'Issue' | 'Renew' | 'Validate';
  keyType?: 'Bearer' | 'PublicKey';
  /** Milliseconds since the epoch; the request names no lifetime without it. */
  created?: number;
  expires?: number;
  delegatable?: boolean;
  renewable?: boolean;
  /** The token of a RenewTarget. */
  renewTarget?: string;
}

/** A WS-Trust RequestSecurityToken as govmomi writes it (default namespace, `wsu` bound by the Body). */
export function requestSecurityToken(options: RequestOptions = {}): string {
  const lifetime = options.expires === undefined ? '' : `<Lifetime><wsu:Created>${iso(options.created ?? options.expires - 600_000)}</wsu:Created><wsu:Expires>${iso(options.expires)}</wsu:Expires></Lifetime>`;
  const parts = [`<RequestSecurityToken xmlns="${WST}">`, '<TokenType>urn:oasis:names:tc:SAML:2.0:assertion</TokenType>', `<RequestType>${WST}/${options.requestType ?? 'Issue'}</RequestType>`, lifetime];
  if (options.renewTarget !== undefined) {
    parts.push('<UseKey Sig="_key"></UseKey>', `<RenewTarget>${options.renewTarget}</RenewTarget>`);
  } else {
    parts.push(
      `<Renewing Allow="${options.renewable ?? false}" OK="false"></Renewing>`,
      `<Delegatable>${options.delegatable ?? true}</Delegatable>`,
      `<KeyType>${WST}/${options.keyType ?? 'Bearer'}</KeyType>`,
    );
  }
  return [...parts, '</RequestSecurityToken>'].join('');
}

export interface EnvelopeOptions {
  user?: string;
  password?: string;
  /** Base64 DER of a BinarySecurityToken certificate. */
  certificate?: string;
  /** The Timestamp's Created; Expires is a minute later. */
  now?: number;
}

/** A SOAP envelope with a WS-Security header: Timestamp, optional BinarySecurityToken and UsernameToken. */
export function envelope(body: string, options: EnvelopeOptions = {}): string {
  const now = options.now ?? Date.now();
  return [
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>',
    `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}">`,
    `<wsu:Timestamp wsu:Id="_ts"><wsu:Created>${iso(now)}</wsu:Created><wsu:Expires>${iso(now + 60_000)}</wsu:Expires></wsu:Timestamp>`,
    options.certificate
      ? `<wsse:BinarySecurityToken EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" wsu:Id="_bst">${options.certificate}</wsse:BinarySecurityToken>`
      : '',
    options.user === undefined ? '' : `<wsse:UsernameToken><wsse:Username>${options.user}</wsse:Username><wsse:Password>${options.password ?? ''}</wsse:Password></wsse:UsernameToken>`,
    '</wsse:Security></soap:Header>',
    `<soap:Body xmlns:wsu="${WSU}" wsu:Id="_body">${body}</soap:Body>`,
    '</soap:Envelope>',
  ].join('');
}

/**
 * The envelope signed as WS-Trust clients sign it: the holder's certificate as BinarySecurityToken,
 * one signature in the Security header over the Timestamp and the Body (exclusive c14n, RSA-SHA256).
 */
export function signedEnvelope(body: string, holder: Issuer, options: Omit<EnvelopeOptions, 'certificate'> = {}): string {
  const xml = envelope(body, { ...options, certificate: derOf(holder.cert) });
  const signer = new SignedXml({
    privateKey: holder.key,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    idMode: 'wssecurity',
  });
  for (const id of ['_ts', '_body']) {
    signer.addReference({
      xpath: `//*[@*[local-name(.)='Id']='${id}']`,
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
  }
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name(.)='Security']", action: 'append' } });
  return signer.getSignedXml();
}
