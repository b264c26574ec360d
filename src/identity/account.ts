/**
 * Who a credential names, whatever source vouched for it: a local user record, or a directory user
 * (who has no local record) with the groups the directory gave and when they were read.
 */
export interface Account {
  /** Lower-case `name@domain`. */
  key: string;
  name: string;
  domain: string;
  /** Keys (lower-case `name@domain`) of the account's groups; absent for local users, who have none. */
  groups?: readonly string[];
  /** When `groups` were read from the directory; present exactly for directory accounts. */
  groupsReadAt?: number;
  /** A solution user's certificate (base64 DER): the account has no password (identity.md §2). */
  certificate?: string;
}

/** A directory account as a session or token keeps it between group refreshes. */
export interface DirectoryAccount extends Account {
  groups: readonly string[];
  groupsReadAt: number;
}

export function isDirectoryAccount(account: Account): account is DirectoryAccount {
  return account.groupsReadAt !== undefined;
}
