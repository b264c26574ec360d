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

  /** The first of `schemes` (in declared order) for which the request carried credentials this server can check. */
  schemeFor(schemes: readonly SchemeId[], presented: PresentedCredentials): SchemeId | undefined {
    return schemes.find((scheme) => presented[scheme as KnownScheme] !== undefined && this.#authenticators.has(scheme));
  }

  /**
   * Authenticates with the scheme `schemeFor` picks. There is no fallback to a later scheme when
   * those credentials fail.
   */
  async authenticate(schemes: readonly SchemeId[], presented: PresentedCredentials): Promise<Principal> {
    const scheme = this.schemeFor(schemes, presented);
    if (scheme === undefined) throw unauthenticated('no credentials for any accepted scheme');
    const authenticator = this.#authenticators.get(scheme) as Authenticator<KnownScheme>;
    return authenticator.authenticate(presented[scheme as KnownScheme] as never);
  }
}
