import type { LdapIdentitySource } from '../directory/ldap-source.js';
import type { Account } from './account.js';
import type { LocalIdentitySource } from './identity-source.js';
import { parseUserName, userKey, type QualifiedName } from './user-name.js';

/**
 * The local domain and the external sources beside it (identity.md §1). A name `user@domain`,
 * `ALIAS\user` or a bare `user` (the default domain) picks the source; aliases are resolved to
 * their domain, so every form of a name has one account key (and one lockout).
 */
export class IdentitySources {
  readonly local: LocalIdentitySource;
  readonly defaultDomain: string;
  readonly #directories = new Map<string, LdapIdentitySource>();
  readonly #aliases = new Map<string, string>();

  constructor(local: LocalIdentitySource, directories: readonly LdapIdentitySource[] = [], defaultDomain = local.domain) {
    this.local = local;
    this.defaultDomain = defaultDomain;
    for (const directory of directories) {
      this.#directories.set(directory.domain, directory);
      if (directory.alias) this.#aliases.set(directory.alias, directory.domain);
    }
  }

  /** A name in any accepted form, with its source's domain; undefined when malformed or of no source. */
  parse(input: string): QualifiedName | undefined {
    const parsed = parseUserName(input, this.defaultDomain);
    if (!parsed) return undefined;
    const domain = this.#aliases.get(parsed.domain) ?? parsed.domain;
    return domain === this.local.domain || this.#directories.has(domain) ? { name: parsed.name, domain } : undefined;
  }

  /** The directory owning `domain` (lower-case); undefined for the local domain or an unknown one. */
  directory(domain: string): LdapIdentitySource | undefined {
    return this.#directories.get(domain);
  }

  /**
   * The account when the password is right; undefined for a wrong password, an unknown user or an
   * unknown domain alike. Local names (and names of no source) are checked against a hash, so all
   * cost the same; a directory that does not answer throws DirectoryUnavailableError.
   */
  async verify(qualified: QualifiedName | undefined, password: string): Promise<Account | undefined> {
    const directory = qualified && this.#directories.get(qualified.domain);
    if (directory) return directory.authenticate(qualified.name, password);
    return this.local.verify(qualified ? userKey(qualified) : '', password);
  }

  /** The account a name names as its source has it now (a directory account with its groups read again). */
  async current(qualified: QualifiedName): Promise<Account | undefined> {
    const directory = this.#directories.get(qualified.domain);
    return directory ? directory.lookup(qualified.name) : this.local.get(userKey(qualified));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#directories.values()].map((directory) => directory.close()));
  }
}
