/** The credentials of a login body, or undefined when the body is not of the documented shape. */
export function loginCredentials(body: unknown): { userName: string; password: string } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const credential = (body as { apiUserCredential?: unknown }).apiUserCredential;
  if (typeof credential !== 'object' || credential === null || Array.isArray(credential)) return undefined;
  const { username, password, domain } = credential as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') return undefined;
  if (domain !== undefined && typeof domain !== 'string') return undefined;
  // An empty or absent domain is the local identity source.
  return { userName: domain ? `${username}@${domain}` : username, password };
}
