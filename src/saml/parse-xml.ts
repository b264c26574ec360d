import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

export class XmlRefused extends Error {
  override name = 'XmlRefused';
}

/**
 * Parses XML without any DTD: a document that declares one is refused before parsing, so no entity
 * is expanded and nothing external is fetched. Malformed XML is refused too.
 */
export function parseXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlRefused('DTDs are not allowed');
  try {
    return new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new XmlRefused(`not well-formed XML: ${(error as Error).message}`);
  }
}

/** parseXml, with a refusal reported through `refuse` (each caller has its own rejection). */
export function parseXmlOr(xml: string, refuse: (reason: string) => never): Document {
  try {
    return parseXml(xml);
  } catch (error) {
    if (error instanceof XmlRefused) refuse(error.message);
    throw error;
  }
}

const ELEMENT_NODE = 1;

/** Descendant elements with this namespace and local name, in document order. */
export function descendants(root: Node, namespace: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== ELEMENT_NODE) continue;
      const element = child as Element;
      if (element.namespaceURI === namespace && element.localName === localName) out.push(element);
      walk(element);
    }
  };
  walk(root);
  return out;
}

/** The first child element, if any. */
export function firstElement(parent: Node): Element | undefined {
  for (let child = parent.firstChild; child; child = child.nextSibling) if (child.nodeType === ELEMENT_NODE) return child as Element;
  return undefined;
}

/** Child elements with this namespace and local name. */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    const element = child as Element;
    if (child.nodeType === ELEMENT_NODE && element.namespaceURI === namespace && element.localName === localName) out.push(element);
  }
  return out;
}
