/**
 * `Authorization: Bearer <token>` (RFC 6750 b64token; the scheme name is case-insensitive), read
 * alike by `/api`, `/rest` and the OMIVV logoff. Anything else counts as no bearer token.
 */
export function parseBearerAuthorization(header: string | undefined): string | undefined {
  return header?.match(/^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i)?.[1];
}
