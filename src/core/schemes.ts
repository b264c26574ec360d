/** Authentication scheme ids (`com.vmware.vapi.std.security.*`) and how the metadata describes each. */
export const SCHEMES = {
  userPass: 'com.vmware.vapi.std.security.user_pass',
  sessionId: 'com.vmware.vapi.std.security.session_id',
  samlBearer: 'com.vmware.vapi.std.security.saml_bearer_token',
  samlHok: 'com.vmware.vapi.std.security.saml_hok_token',
  oauth: 'com.vmware.vapi.std.security.oauth',
  none: 'com.vmware.vapi.std.security.no_authentication',
} as const;

export type SchemeId = (typeof SCHEMES)[keyof typeof SCHEMES];

export const SESSION_MANAGER = 'com.vmware.cis.session';

/** `com.vmware.vapi.metadata.authentication.authentication_info` for a scheme. */
export interface AuthenticationInfo {
  scheme_type: 'SESSIONLESS' | 'SESSION_AWARE';
  session_manager?: string;
  scheme: SchemeId;
}

export function authenticationInfo(scheme: SchemeId): AuthenticationInfo {
  return scheme === SCHEMES.sessionId
    ? { scheme_type: 'SESSION_AWARE', session_manager: SESSION_MANAGER, scheme }
    : { scheme_type: 'SESSIONLESS', scheme };
}
