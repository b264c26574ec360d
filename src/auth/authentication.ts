import { unauthenticated } from '../core/errors.js';
import { ANONYMOUS, type Principal } from '../core/principal.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';
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

  /** Whether this server checks `scheme`; `no_authentication` needs no check. */
  supports(scheme: SchemeId): boolean {
    return scheme === SCHEMES.none || this.#authenticators.has(scheme);
  }

  /**
   * The first of `schemes` (in declared order) for which the request carried credentials this server
   * can check; `no_authentication` fits any request, whatever credentials it carries (they are not read).
   */
  schemeFor(schemes: readonly SchemeId[], presented: PresentedCredentials): SchemeId | undefined {
    return schemes.find((scheme) => scheme === SCHEMES.none || (presented[scheme as KnownScheme] !== undefined && this.#authenticators.has(scheme)));
  }

  /**
   * Authenticates with the scheme `schemeFor` picks. There is no fallback to a later scheme when
   * those credentials fail.
   */
  async authenticate(schemes: readonly SchemeId[], presented: PresentedCredentials): Promise<Principal> {
    const scheme = this.schemeFor(schemes, presented);
    if (scheme === undefined) throw unauthenticated('no credentials for any accepted scheme');
    if (scheme === SCHEMES.none) return ANONYMOUS;
    const authenticator = this.#authenticators.get(scheme) as Authenticator<KnownScheme>;
    return authenticator.authenticate(presented[scheme as KnownScheme] as never);
  }
}
