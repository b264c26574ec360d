import type { PresentedCredentials } from '../../auth/credentials.js';
import { isPlainObject } from '../../core/plain-json.js';
import { SCHEMES } from '../../core/schemes.js';
import { canonicalRequest } from './canonical-request.js';

/** The bearer scheme id the metadata docstrings use; the SDK sends `saml_bearer_token`. Both are accepted. */
const BEARER_TOKEN_ALIAS = 'com.vmware.vapi.std.security.bearer_token';

function text(record: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * Credentials from `params.ctx.securityCtx` (plain JSON, jsonrpc.md §3). A context that is
 * malformed or names an unknown scheme carries no credentials; the engine then refuses the call
 * like any other unauthenticated one. SAML and oauth contexts become credentials of their scheme,
 * which only an operation declaring that scheme (and a server able to check it) accepts.
 */
export function securityContextCredentials(context: unknown, request: Record<string, unknown> = {}): PresentedCredentials {
  if (!isPlainObject(context)) return {};
  switch (context.schemeId) {
    case SCHEMES.userPass: {
      const userName = text(context, 'userName');
      const password = text(context, 'password');
      return userName && password ? { [SCHEMES.userPass]: { userName, password } } : {};
    }
    case SCHEMES.sessionId: {
      const sessionId = text(context, 'sessionId');
      return sessionId ? { [SCHEMES.sessionId]: { sessionId } } : {};
    }
    case SCHEMES.samlBearer:
    case BEARER_TOKEN_ALIAS: {
      const samlToken = text(context, 'samlToken', 'token');
      return samlToken ? { [SCHEMES.samlBearer]: { samlToken } } : {};
    }
    case SCHEMES.samlHok:
      return holderOfKey(context, request);
    case SCHEMES.oauth: {
      // The runtime's key is `accesstoken`; jsonrpc.md writes `accessToken`.
      const accessToken = text(context, 'accessToken', 'accesstoken');
      return accessToken ? { [SCHEMES.oauth]: { accessToken } } : {};
    }
    default:
      return {};
  }
}

/** The request without the signature: what the holder signed. */
function signedPart(request: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(request) as { params?: { ctx?: { securityCtx?: Record<string, unknown> } } };
  delete copy.params?.ctx?.securityCtx?.signature;
  return copy as Record<string, unknown>;
}

function holderOfKey(context: Record<string, unknown>, request: Record<string, unknown>): PresentedCredentials {
  const { timestamp, signature } = context;
  if (!isPlainObject(timestamp) || !isPlainObject(signature)) return {};
  const samlToken = text(signature, 'samlToken');
  const value = text(signature, 'value');
  const signatureAlgorithm = text(context, 'signatureAlgorithm');
  const created = text(timestamp, 'created');
  const expires = text(timestamp, 'expires');
  if (!samlToken || !value || !signatureAlgorithm || !created || !expires) return {};
  return {
    [SCHEMES.samlHok]: { form: 'jsonrpc', samlToken, signature: value, signatureAlgorithm, created, expires, signedText: canonicalRequest(signedPart(request)) },
  };
}
