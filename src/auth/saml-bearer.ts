import { createHash, createVerify } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { unauthenticated } from '../core/errors.js';
import { SCHEMES } from '../core/schemes.js';
import type { CredentialChecker } from '../identity/credential-check.js';
import type { Account } from '../identity/account.js';
import type { IdentitySources } from '../identity/identity-sources.js';
import { parseUserName, userKey } from '../identity/user-name.js';
import type { AssertionChecks, TrustedIssuers } from '../keys/trusted-issuers.js';
import type { VerifiedAssertion } from '../saml/verify-assertion.js';
import type { KeyValueStore } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import type { SamlHolderOfKey } from './credentials.js';
import { principalOf } from './principal-of.js';

export interface SamlBearerPolicy extends AssertionChecks {
  /** vCenter's "Bearer token usage allowance": off refuses every bearer token. */
  allowBearer: boolean;
  /** `sts="…"` in the challenge, where clients get tokens. */
  stsUrl?: string;
}

/**
 * The account a token names: a local user that exists, or a user of an external source with the
 * groups the token lists (vCenter's GroupIdentity attribute, `DOMAIN\group`) as of the token's start.
 */
async function accountOf(assertion: VerifiedAssertion, identity: IdentitySources): Promise<Account | undefined> {
  const qualified = identity.parse(assertion.subject);
  if (!qualified) return undefined;
  if (!identity.directory(qualified.domain)) return identity.local.get(userKey(qualified));
  const groups = assertion.groups.flatMap((group) => {
    // Aliases resolve to their domain; a group of a domain that is no source here is kept as written.
    const parsed = identity.parse(/[\\@]/.test(group) ? group : `${group}@${qualified.domain}`) ?? parseUserName(group, qualified.domain);
    return parsed ? [userKey(parsed)] : [];
  });
  return { key: userKey(qualified), name: qualified.name, domain: qualified.domain, groups: [...new Set(groups)].sort(), groupsReadAt: assertion.notBefore };
}

/** Who SAML tokens may name: an account of an identity source, refused while it is locked. */
export interface SamlAccounts {
  identity: IdentitySources;
  credentials: CredentialChecker;
}

/**
 * The checks every SAML token passes: signature by a trusted issuer and claims, delegable, an
 * account of an identity source that is not locked (a lock refuses every way in, as it does a
 * password or a JWT). A refusal is UNAUTHENTICATED with the reason for the log.
 */
export async function verifySamlToken(samlToken: string, policy: SamlBearerPolicy, issuers: TrustedIssuers, { identity, credentials }: SamlAccounts, now: number) {
  // Loaded with the first SAML token: the XML parser and signature checker cost start-up time that most servers never use.
  const { AssertionRejected, verifyAssertion } = await import('../saml/verify-assertion.js');
  let assertion: VerifiedAssertion;
  try {
    assertion = verifyAssertion(samlToken, await issuers.policy(policy, now), now);
  } catch (error) {
    if (error instanceof AssertionRejected) throw unauthenticated(`SAML token refused: ${error.message}`);
    throw error;
  }
  if (!assertion.delegable) throw unauthenticated('the SAML token is not delegable');
  const user = await accountOf(assertion, identity);
  if (!user) throw unauthenticated('the SAML subject is not an account of an identity source');
  if (await credentials.isLocked(user.key)) throw unauthenticated('account locked');
  return { assertion, user };
}

/** What a principal keeps of its token: when it ends, and who acts for the subject (the latest delegate). */
function tokenClaims(assertion: VerifiedAssertion): { notAfter: number; actor?: string } {
  const actor = assertion.delegates.at(-1)?.name;
  return { notAfter: assertion.notOnOrAfter, ...(actor ? { actor } : {}) };
}

/**
 * `com.vmware.vapi.std.security.saml_bearer_token`: a SAML 2.0 bearer assertion signed by a trusted
 * issuer, delegable, valid now, whose subject is an account of the identity source. Every refusal is
 * the same UNAUTHENTICATED; the precise reason goes to the log.
 */
export function samlBearerAuthenticator(
  policy: SamlBearerPolicy,
  issuers: TrustedIssuers,
  accounts: SamlAccounts,
  clock: Clock,
  realm: string,
): Authenticator<typeof SCHEMES.samlBearer> {
  return {
    scheme: SCHEMES.samlBearer,
    challenge: `SIGN realm="vapi-auth",service="${realm}"${policy.stsUrl ? `,sts="${policy.stsUrl}"` : ''}`,
    async authenticate({ samlToken }) {
      if (!policy.allowBearer) throw unauthenticated('SAML bearer tokens are not allowed');
      const { assertion, user } = await verifySamlToken(samlToken, policy, issuers, accounts, clock.now());
      if (assertion.confirmation !== 'bearer') throw unauthenticated('a holder-of-key token presented as a bearer token');
      return principalOf(user, SCHEMES.samlBearer, tokenClaims(assertion));
    },
  };
}

const JSON_RPC_HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/** `<ms since epoch>:<random>`, as govmomi writes its nonces. */
function nonceTime(nonce: string): number | undefined {
  const match = nonce.match(/^(\d{10,16}):\S{1,64}$/);
  return match ? Number(match[1]) : undefined;
}

/**
 * `com.vmware.vapi.std.security.saml_hok_token`: a holder-of-key assertion (checked as a bearer one),
 * and the holder's signature over the request, by the key of the certificate the token names: over
 * HTTP the SIGN header's RSA-SHA256 with a fresh nonce, over JSON-RPC RSA over the canonical request
 * within its timestamp. Each signed request is accepted once.
 */
export function samlHolderOfKeyAuthenticator(
  policy: SamlBearerPolicy,
  issuers: TrustedIssuers,
  accounts: SamlAccounts,
  kv: KeyValueStore,
  clock: Clock,
): Authenticator<typeof SCHEMES.samlHok> {
  return {
    scheme: SCHEMES.samlHok,
    async authenticate(credential: SamlHolderOfKey) {
      const now = clock.now();
      const { assertion, user } = await verifySamlToken(credential.samlToken, policy, issuers, accounts, now);
      const certificate = assertion.holderCertificate;
      if (assertion.confirmation !== 'holder-of-key' || !certificate) throw unauthenticated('a bearer token presented as holder-of-key');
      const signature = Buffer.from(credential.signature, 'base64');
      const verifies = (hash: string, text: string | Buffer) => createVerify(hash).update(text).verify(certificate, signature);
      let once: string;
      if (credential.form === 'http') {
        if (credential.signatureAlgorithm !== 'RSA-SHA256') throw unauthenticated('unsupported signature algorithm');
        const issuedAt = nonceTime(credential.nonce);
        if (issuedAt === undefined || Math.abs(now - issuedAt) > policy.clockToleranceMs) throw unauthenticated('stale or malformed nonce');
        if (!credential.signedTexts.some((text) => verifies('sha256', text))) throw unauthenticated('the request signature does not verify');
        once = credential.nonce;
      } else {
        const hash = JSON_RPC_HASHES[credential.signatureAlgorithm];
        if (!hash) throw unauthenticated('unsupported signature algorithm');
        const created = Date.parse(credential.created);
        const expires = Date.parse(credential.expires);
        if (!(created <= now + policy.clockToleranceMs && now - policy.clockToleranceMs < expires)) throw unauthenticated('the request signature is outside its time window');
        if (!verifies(hash, credential.signedText)) throw unauthenticated('the request signature does not verify');
        once = createHash('sha256').update(credential.signature).digest('hex');
      }
      // A signed request is good once: a captured one cannot be replayed.
      if ((await kv.increment(`signed:${once}`, 2 * policy.clockToleranceMs, now)) !== 1) throw unauthenticated('a signed request replayed');
      return principalOf(user, SCHEMES.samlHok, tokenClaims(assertion));
    },
  };
}
