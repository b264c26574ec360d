import { SCHEMES } from '../core/schemes.js';

/** The credentials each scheme reads, whatever dialect carried them. */
export interface CredentialsByScheme {
  [SCHEMES.userPass]: { userName: string; password: string };
  [SCHEMES.sessionId]: { sessionId: string };
  [SCHEMES.oauth]: { accessToken: string };
  /** A SAML bearer assertion, as the client gave it. */
  [SCHEMES.samlBearer]: { samlToken: string };
  /** A SAML holder-of-key assertion with the client's signature over the request (jsonrpc.md §4). */
  [SCHEMES.samlHok]: SamlHolderOfKey;
}

/** A holder-of-key token with the holder's signature over the request, in the form its dialect signs. */
export type SamlHolderOfKey =
  | {
      /** JSON-RPC (jsonrpc.md §4): RSA over the canonical JSON request. */
      form: 'jsonrpc';
      samlToken: string;
      /** `RS256`, `RS384` or `RS512`. */
      signatureAlgorithm: string;
      /** Base64 signature of the canonical request. */
      signature: string;
      created: string;
      expires: string;
      /** The canonical request without the signature: what the holder signed. */
      signedText: string;
    }
  | {
      /** REST `SIGN` header (session.md §3): RSA-SHA256 over nonce, request line, host, port and body hash. */
      form: 'http';
      samlToken: string;
      signatureAlgorithm: string;
      signature: string;
      nonce: string;
      /** The texts the client may have signed (one per candidate port). */
      signedTexts: Buffer[];
    };

export type KnownScheme = keyof CredentialsByScheme;

/**
 * What a request carried, by scheme. A dialect fills in every credential it finds; the
 * operation's schemes decide which one is used.
 */
export type PresentedCredentials = { [S in KnownScheme]?: CredentialsByScheme[S] };
