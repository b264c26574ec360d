/** A user name split into its parts; `domain` is lower-case. */
export interface QualifiedName {
  name: string;
  domain: string;
}

/**
 * Accepts `name@domain`, `DOMAIN\name` and a bare `name` (in `defaultDomain`), the forms vSphere
 * clients send. Returns undefined for anything else (empty parts, several separators), and for text
 * not in Unicode normalization form NFKC: names compare case-insensitively, and characters that
 * only stand in for others (the Kelvin sign, fullwidth letters, ligatures) would otherwise
 * lower-case into another account's name. PRECIS (RFC 8265) refuses them too.
 */
export function parseUserName(input: string, defaultDomain: string): QualifiedName | undefined {
  if (input.normalize('NFKC') !== input) return undefined;
  let name = input;
  let domain = defaultDomain;
  const backslash = input.indexOf('\\');
  const at = input.lastIndexOf('@');
  if (backslash >= 0) {
    if (at >= 0 || input.indexOf('\\', backslash + 1) >= 0) return undefined;
    domain = input.slice(0, backslash);
    name = input.slice(backslash + 1);
  } else if (at >= 0) {
    name = input.slice(0, at);
    domain = input.slice(at + 1);
  }
  if (name === '' || domain === '' || name.includes('@') || /[\s\u0000-\u001f]/.test(name + domain)) return undefined;
  return { name, domain: domain.toLowerCase() };
}

/** The store key of an account: names and domains compare case-insensitively, as in vSphere SSO. */
export function userKey(qualified: QualifiedName): string {
  return `${qualified.name.toLowerCase()}@${qualified.domain.toLowerCase()}`;
}
