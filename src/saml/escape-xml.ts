// Escaping only: the SOAP faults and answers need it without loading an XML parser.

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Escapes element text the way canonical XML writes it (`&`, `<`, `>` only), so that text written
 * by hand is already in the form every canonicalizer produces.
 */
export function escapeXmlText(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}
