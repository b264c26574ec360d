import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OAUTH2_ERRORS } from './oauth2-types.js';

const DOC = readFileSync(new URL('../../docs/saml-sso.md', import.meta.url), 'utf8');

describe('the OAuth 2.0 errors of the token exchange', () => {
  it('are the ones docs/saml-sso.md lists, with the same ids and statuses', () => {
    const documented = [...DOC.matchAll(/^\| `([a-z_]+)` \| `(com\.vmware\.oauth2\.errors\.[a-z_]+)` \| (\d{3}) \|/gm)].map(([, name, id, status]) => [name, id, Number(status)]);
    expect(documented).toEqual(Object.entries(OAUTH2_ERRORS).map(([name, error]) => [name, error.type.name, error.status]));
  });
});
