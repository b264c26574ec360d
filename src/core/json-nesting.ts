/**
 * Deepest nesting of arrays and objects accepted in a request body. vAPI values nest a few levels
 * per structure; far deeper input only serves to exhaust the stack of whatever walks it.
 */
export const MAX_JSON_NESTING = 256;

/** Whether JSON text nests arrays and objects deeper than `max`; a scan, not a parse (brackets in strings do not count). */
export function jsonNestingExceeds(text: string, max = MAX_JSON_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
