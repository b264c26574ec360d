import type { FastifyReply } from 'fastify';
import { escapeXml } from '../saml/escape-xml.js';

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
/** WS-Trust 1.3, WS-Security and its utility namespace, as the STS speaks them. */
export const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
export const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
/** WS-Trust 1.4, where `ActAs` is defined (inside a 1.3 RequestSecurityToken, as vCenter's clients send it). */
export const WST14 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200802';

/** A SOAP fault to send: code (a QName), text, HTTP status. */
export class SoapFault extends Error {
  constructor(
    readonly code: string,
    readonly text: string,
    readonly status = 500,
    /** For the log only. */
    readonly reason?: string,
  ) {
    super(text);
  }
}

export function sendSoap(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/xml; charset=utf-8')
    .send(`<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="${SOAP_ENV}"><S:Body>${body}</S:Body></S:Envelope>`);
}

export function sendFault(reply: FastifyReply, fault: SoapFault): FastifyReply {
  const namespaces = `xmlns:wst="${WST}" xmlns:wsse="${WSSE}"`;
  return sendSoap(reply, `<S:Fault><faultcode ${namespaces}>${escapeXml(fault.code)}</faultcode><faultstring>${escapeXml(fault.text)}</faultstring></S:Fault>`, fault.status);
}
