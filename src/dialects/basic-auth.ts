/**
 * `Authorization: Basic base64(user ":" password)`, split at the first `:` (passwords may hold
 * colons). Anything malformed counts as no credentials, which ends in 401, never 500.
 */
export function parseBasicAuthorization(header: string | undefined): { userName: string; password: string } | undefined {
  const match = header?.match(/^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decoded);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { userName: text.slice(0, colon), password: text.slice(colon + 1) };
}
