import { XsdDouble } from './json-text.js';

/** A string escaped as the Python SDK writes it: ASCII only, `\u00xx` lower-case, `/` left alone. */
function pythonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code > 0xffff) {
      // Astral characters as their surrogate pair, each escaped.
      const high = Math.floor((code - 0x10000) / 0x400) + 0xd800;
      const low = ((code - 0x10000) % 0x400) + 0xdc00;
      out += `\\u${high.toString(16)}\\u${low.toString(16)}`;
    } else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/**
 * The canonical form of a JSON-RPC request that a holder-of-key client signs (jsonrpc.md §4): keys
 * sorted by code point at every level, arrays in order, no whitespace, strings escaped the Python way,
 * integers as they are, other numbers in the canonical XML-Schema double form.
 */
export function canonicalRequest(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalRequest).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${pythonString(key)}:${canonicalRequest((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return new XsdDouble(value).toString();
  return JSON.stringify(value);
}
