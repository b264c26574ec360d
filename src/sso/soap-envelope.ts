import type { Element } from '@xmldom/xmldom';
import { childElements, firstElement, parseXml } from '../saml/parse-xml.js';
import { SOAP_ENV, SoapFault } from './soap.js';

/** The Header (if any) and the first element of the Body of a SOAP 1.1 envelope. */
export function readEnvelope(xml: string): { header: Element | undefined; operation: Element } {
  let root: Element | null;
  try {
    root = parseXml(xml).documentElement;
  } catch (error) {
    throw new SoapFault('S:Client', 'The request is not a SOAP envelope.', 500, (error as Error).message);
  }
  if (!root || root.namespaceURI !== SOAP_ENV || root.localName !== 'Envelope') throw new SoapFault('S:Client', 'The request is not a SOAP envelope.');
  const body = childElements(root, SOAP_ENV, 'Body')[0];
  const operation = body && firstElement(body);
  if (!operation) throw new SoapFault('S:Client', 'The SOAP body is empty.');
  return { header: childElements(root, SOAP_ENV, 'Header')[0], operation };
}

/** The trimmed text of the first matching child, if any. */
export function childText(parent: Element | undefined, namespace: string, localName: string): string | undefined {
  const element = parent && childElements(parent, namespace, localName)[0];
  return element ? (element.textContent ?? '').trim() : undefined;
}
