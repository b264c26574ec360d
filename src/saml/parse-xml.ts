import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

export class XmlRefused extends Error {
  override name = 'XmlRefused';
}

/**
 * Deepest nesting of nodes accepted in a document. A signed SOAP request with a holder-of-key
 * assertion nests about a dozen deep; far deeper input only serves to exhaust the stack of whatever
 * walks it (our own walks, and xml-crypto's canonicalization).
 */
export const MAX_XML_NESTING = 64;

/** Whether the tree below `root` nests deeper than `max`; a walk without recursion. */
function nestingExceeds(root: Node, max: number): boolean {
  let node = root.firstChild;
  let depth = 1;
  while (node) {
    if (depth > max) return true;
    if (node.firstChild) {
      node = node.firstChild;
      depth++;
      continue;
    }
    while (node !== root && node.nextSibling === null) {
      node = node.parentNode!;
      depth--;
    }
    if (node === root) return false;
    node = node.nextSibling;
  }
  return false;
}

/**
 * Parses XML without any DTD: a document that declares one is refused before parsing, so no entity
 * is expanded and nothing external is fetched. Malformed XML is refused too, and so is a document
 * nested deeper than MAX_XML_NESTING, before anything walks it.
 */
export function parseXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlRefused('DTDs are not allowed');
  let document: Document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new XmlRefused(`not well-formed XML: ${(error as Error).message}`);
  }
  if (nestingExceeds(document, MAX_XML_NESTING)) throw new XmlRefused(`nested deeper than ${MAX_XML_NESTING}`);
  return document;
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
