import { describe, expect, it } from 'vitest';
import { SCHEMES } from '../../core/schemes.js';
import { securityContextCredentials } from './security-context.js';

describe('security contexts', () => {
  it('reads user_pass and session_id', () => {
    expect(securityContextCredentials({ schemeId: SCHEMES.userPass, userName: 'us\u00e9r@vsphere.local', password: 'p:w' })).toEqual({
      [SCHEMES.userPass]: { userName: 'us\u00e9r@vsphere.local', password: 'p:w' },
    });
    expect(securityContextCredentials({ schemeId: SCHEMES.sessionId, sessionId: 'abc' })).toEqual({
      [SCHEMES.sessionId]: { sessionId: 'abc' },
    });
  });

  it('reads a SAML bearer token under both scheme ids and both field names', () => {
    const expected = { [SCHEMES.samlBearer]: { samlToken: 'T' } };
    for (const schemeId of [SCHEMES.samlBearer, 'com.vmware.vapi.std.security.bearer_token']) {
      expect(securityContextCredentials({ schemeId, samlToken: 'T' })).toEqual(expected);
      expect(securityContextCredentials({ schemeId, token: 'T' })).toEqual(expected);
    }
  });

  it('reads the holder-of-key signature form, with the canonical request it signs (the signature left out)', () => {
    const context = {
      schemeId: SCHEMES.samlHok,
      timestamp: { expires: '2026-11-22T07:18:28.563Z', created: '2026-11-22T06:58:28.563Z' },
      signatureAlgorithm: 'RS256',
      signature: { samlToken: '<saml2:Assertion/>', value: 'c2ln' },
    };
    const request = { jsonrpc: '2.0', id: '0', params: { ctx: { securityCtx: context }, serviceId: 'é' } };
    expect(securityContextCredentials(context, request)).toEqual({
      [SCHEMES.samlHok]: {
        form: 'jsonrpc',
        samlToken: '<saml2:Assertion/>',
        signature: 'c2ln',
        signatureAlgorithm: 'RS256',
        created: '2026-11-22T06:58:28.563Z',
        expires: '2026-11-22T07:18:28.563Z',
        signedText:
          '{"id":"0","jsonrpc":"2.0","params":{"ctx":{"securityCtx":{"schemeId":"com.vmware.vapi.std.security.saml_hok_token","signatureAlgorithm":"RS256","timestamp":{"created":"2026-11-22T06:58:28.563Z","expires":"2026-11-22T07:18:28.563Z"}}},"serviceId":"\\u00e9"}}',
      },
    });
    expect(request.params.ctx.securityCtx.signature).toBeDefined(); // the request itself is left as it was
  });

  it('reads an oauth access token', () => {
    expect(securityContextCredentials({ schemeId: SCHEMES.oauth, accessToken: 'jwt' })).toEqual({ [SCHEMES.oauth]: { accessToken: 'jwt' } });
  });

  it('finds no credentials in a malformed context or an unknown scheme', () => {
    for (const context of [
      undefined,
      'x',
      [],
      { schemeId: SCHEMES.userPass, userName: 'a' },
      { schemeId: SCHEMES.userPass, userName: 'a', password: 7 },
      { schemeId: SCHEMES.sessionId, sessionId: '' },
      { schemeId: SCHEMES.samlHok, signature: { samlToken: 'T' } },
      { schemeId: 'com.example.scheme', sessionId: 'abc' },
      { sessionId: 'abc' },
    ]) {
      expect(securityContextCredentials(context)).toEqual({});
    }
  });
});
