import { SCHEMES } from '../core/schemes.js';

/** The credentials each scheme reads, whatever dialect carried them. */
export interface CredentialsByScheme {
  [SCHEMES.userPass]: { userName: string; password: string };
  [SCHEMES.sessionId]: { sessionId: string };
  [SCHEMES.oauth]: { accessToken: string };
}

export type KnownScheme = keyof CredentialsByScheme;

/**
 * What a request carried, by scheme. A dialect fills in every credential it finds; the
 * operation's schemes decide which one is used.
 */
export type PresentedCredentials = { [S in KnownScheme]?: CredentialsByScheme[S] };
