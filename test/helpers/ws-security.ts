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
  /** The token of a WS-Trust 1.4 ActAs (as govmomi and vCenter's SDKs put it in a 1.3 request). */
  actAs?: string;
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
      options.actAs === undefined ? '' : `<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802">${options.actAs}</wst14:ActAs>`,
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
  return signTimestampAndBody(envelope(body, { ...options, certificate: derOf(holder.cert) }), holder);
}

/**
 * The envelope signed with a holder-of-key token instead of a certificate (token by token, as the SDK
 * samples' `get_token_by_token`): the token in the Security header, the signature by the holder's key,
 * its KeyInfo naming the token by its SAML ID (`keyId`, the token's own ID unless told otherwise).
 */
export function tokenSignedEnvelope(body: string, token: string, holder: Issuer, options: { now?: number; keyId?: string } = {}): string {
  const xml = envelope(body, options.now === undefined ? {} : { now: options.now }).replace('</wsse:Security>', `${token}</wsse:Security>`);
  const keyId = options.keyId ?? token.match(/ ID="([^"]+)"/)![1]!;
  const keyInfo = `<wsse:SecurityTokenReference xmlns:wsse="${WSSE}" xmlns:wsse11="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd" wsse11:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"><wsse:KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID">${keyId}</wsse:KeyIdentifier></wsse:SecurityTokenReference>`;
  return signTimestampAndBody(xml, holder, keyInfo);
}

/** One signature appended to the Security header over the Timestamp and the Body (exclusive c14n, RSA-SHA256). */
function signTimestampAndBody(xml: string, holder: Issuer, keyInfo?: string): string {
  const signer = new SignedXml({
    privateKey: holder.key,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    idMode: 'wssecurity',
    ...(keyInfo === undefined ? {} : { getKeyInfoContent: () => keyInfo }),
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
