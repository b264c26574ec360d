import { unauthenticated } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { SchemeId } from '../core/schemes.js';
import type { Authenticator } from './authenticator.js';
import type { KnownScheme, PresentedCredentials } from './credentials.js';

/** The registered schemes, and the rule that picks one for a request. */
export class Authentication {
  readonly #authenticators = new Map<SchemeId, Authenticator>();
  readonly challenge: string;

  constructor(authenticators: readonly Authenticator[]) {
    for (const authenticator of authenticators) this.#authenticators.set(authenticator.scheme, authenticator);
    this.challenge = authenticators.flatMap((a) => (a.challenge ? [a.challenge] : [])).join(',');
  }

  supports(scheme: SchemeId): boolean {
    return this.#authenticators.has(scheme);
  }

  /**
   * Authenticates with the first of `schemes` (in declared order) for which the request carried
   * credentials. There is no fallback to a later scheme when those credentials fail.
   */
  async authenticate(schemes: readonly SchemeId[], presented: PresentedCredentials): Promise<Principal> {
    for (const scheme of schemes) {
      const credential = presented[scheme as KnownScheme];
      const authenticator = this.#authenticators.get(scheme);
      if (credential !== undefined && authenticator) {
        return (authenticator as Authenticator<KnownScheme>).authenticate(credential as never);
      }
    }
    throw unauthenticated('no credentials for any accepted scheme');
  }
}
