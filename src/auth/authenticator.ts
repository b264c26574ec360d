import type { Principal } from '../core/principal.js';
import type { CredentialsByScheme, KnownScheme } from './credentials.js';

/** Turns one scheme's credentials into a principal, or throws UNAUTHENTICATED. */
export interface Authenticator<S extends KnownScheme = KnownScheme> {
  readonly scheme: S;
  /** This scheme's part of the `WWW-Authenticate` challenge, if it has one. */
  readonly challenge?: string;
  authenticate(credential: CredentialsByScheme[S]): Promise<Principal>;
}
