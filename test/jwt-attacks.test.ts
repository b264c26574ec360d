import { createHmac } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { ephemeralJwtKey, type JwtKeyFile } from '../src/jwt/jwt-signing-key.js';
import { issueToken } from '../src/jwt/issue-token.js';
import { DEFAULT_TOKEN_POLICY } from '../src/jwt/token-policy.js';
import { http } from './helpers/http.js';
import { accessToken, callWithBearer, logoff, OMIVV } from './helpers/omivv.js';
import { kidOf } from './helpers/sso-client.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

let t: TestServer;
let keys: JwtKeyFile;
let genuine: string;

beforeEach(async () => {
  keys = await ephemeralJwtKey(Date.now());
  t = await startTestServer(new MemoryStore(), { jwt: { keys } });
  genuine = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
});
afterEach(async () => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => decodeJwt(token);
const signingKey = () => t.server.tokens!.signingKey;

/** Expects the token refused on a vAPI operation (generic 401) and at logoff (TOKEN_INVALID). */
async function expectRefusedAlone(token: string): Promise<void> {
  const vapi = await callWithBearer(t.url, token);
  expect(vapi.status).toBe(401);
  expect(vapi.json).toMatchObject({ error_type: 'UNAUTHENTICATED', messages: [{ id: 'com.vmware.vapi.endpoint.method.authentication.required' }] });
  const omivv = await logoff(t.url, token);
  expect(omivv.json).toEqual({ errorCode: 'TOKEN_INVALID', message: 'Invalid token' });
}

/** Expects the token refused, and the genuine token still working: nothing was damaged on the way. */
async function expectRefused(token: string): Promise<void> {
  await expectRefusedAlone(token);
  expect((await callWithBearer(t.url, genuine)).status).toBe(200);
}

describe('attacks on bearer tokens', () => {
  it('stops a tampered payload (role escalation by editing claims)', async () => {
    const [header, , signature] = genuine.split('.');
    const forged = { ...claimsOf(genuine), sub: 'reader', roles: ['Administrator'] };
    await expectRefused(`${header}.${b64(forged)}.${signature}`);
  });

  it('stops alg "none" (unsigned token)', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(genuine))}.`);
  });

  it('stops HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = await t.server.tokens!.jwks();
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0]!.kid });
    const payload = b64(claimsOf(genuine));
    const secret = JSON.stringify(jwks.keys[0]);
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    await expectRefused(`${header}.${payload}.${signature}`);
  });

  it('stops a token signed by another key with a matching kid (key substitution)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT(claimsOf(genuine)).setProtectedHeader({ alg: 'EdDSA', kid: kidOf(genuine) }).sign(privateKey);
    await expectRefused(token);
  });

  it('stops a forged token whatever account it names (its revocation, lock and account are looked up before the signature is checked, and decide nothing)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const named: Record<string, unknown>[] = [
      { sub: 'nobody' },
      { sub: 'administrator', dom: 'evil.example' },
      { sub: 'a'.repeat(10_000) },
      { sub: 'administrator', jti: 'j'.repeat(65) },
      { sub: ['administrator'], dom: { toString: 'vsphere.local' } },
    ];
    for (const claims of named) {
      const token = await new SignJWT({ ...claimsOf(genuine), ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: kidOf(genuine) }).sign(privateKey);
      await expectRefused(token);
    }
  });

  it('stops a token with an embedded key (jwk header injection)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT(claimsOf(genuine)).setProtectedHeader({ alg: 'EdDSA', jwk: await exportJWK(publicKey) }).sign(privateKey);
    await expectRefused(token);
  });

  it('stops a token for another audience or from another issuer, even signed with our key', async () => {
    const now = t.clock.now();
    const subject = { name: 'administrator', domain: 'vsphere.local', roles: ['Administrator'] };
    await expectRefused((await issueToken(signingKey(), { ...DEFAULT_TOKEN_POLICY, audience: 'other-api' }, subject, now)).token);
    await expectRefused((await issueToken(signingKey(), { ...DEFAULT_TOKEN_POLICY, issuer: 'evil' }, subject, now)).token);
  });

  it('stops a token with a grant this server never issues (privilege escalation by an invented grant), even signed with our key', async () => {
    const subject = { name: 'reader', domain: 'vsphere.local', roles: ['ReadOnly'], grant: 'omivv_admin' as 'token_exchange' };
    await expectRefused((await issueToken(signingKey(), DEFAULT_TOKEN_POLICY, subject, t.clock.now())).token);
  });

  it('stops a token that is not valid yet (nbf in the future)', async () => {
    const later = await issueToken(signingKey(), DEFAULT_TOKEN_POLICY, { name: 'administrator', domain: 'vsphere.local', roles: ['Administrator'] }, t.clock.now() + 60_000);
    await expectRefused(later.token);
  });

  it('stops replay after logoff', async () => {
    expect((await logoff(t.url, genuine)).status).toBe(200);
    const replay = await callWithBearer(t.url, genuine);
    expect(replay.status).toBe(401);
    genuine = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
  });

  it('stops garbage of every shape without a 500', async () => {
    for (const token of ['x', 'a.b', 'a.b.c', `${b64({ alg: 'EdDSA' })}.${b64({})}.AAAA`, '.'.repeat(3), 'e'.repeat(5000)]) {
      const response = await callWithBearer(t.url, token);
      expect(response.status, token.slice(0, 20)).toBe(401);
    }
  });

  it('never says why a token failed on the vAPI side', async () => {
    const expired = await issueToken(signingKey(), DEFAULT_TOKEN_POLICY, { name: 'administrator', domain: 'vsphere.local', roles: ['Administrator'] }, t.clock.now() - 2 * 3_600_000);
    const bodies = await Promise.all(['garbage', expired.token].map(async (token) => (await callWithBearer(t.url, token)).text));
    const none = (await http(`${t.url}/api/cis/tasks?services=x`)).text;
    expect(bodies).toEqual([none, none]);
    expect((await logoff(t.url, expired.token)).json).toEqual({ errorCode: 'TOKEN_EXPIRED', message: 'Token is already expired' });
  });

  it('keeps tokens valid across a key rotation until they expire, and signs new ones with the new key', async () => {
    const { kid } = await keys.replace(await keys.generate(t.clock.now()));
    expect((await callWithBearer(t.url, genuine)).status).toBe(200);
    const fresh = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect(kidOf(fresh)).toBe(kid);
    const jwks = (await http(`${t.url}${OMIVV}/jwks.json`)).json as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([kidOf(genuine), kid].sort());
  });

  it('stops every token of a withdrawn key at once (a stolen signing key), and signs on with a new key', async () => {
    const stolen = kidOf(genuine);
    expect(await t.server.store.verificationKeys.withdraw('jwt', stolen, t.clock.now())).toBe(true);
    await expectRefusedAlone(genuine);
    const fresh = await accessToken(t.url, 'administrator', ADMIN_PASSWORD);
    expect(kidOf(fresh)).not.toBe(stolen);
    expect((await callWithBearer(t.url, fresh)).status).toBe(200);
    const jwks = (await http(`${t.url}${OMIVV}/jwks.json`)).json as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([kidOf(fresh)]);
  });
});
