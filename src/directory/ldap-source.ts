import { NoSuchObjectError, SizeLimitExceededError, type Entry } from 'ldapts';
import type { Clock } from '../core/clock.js';
import { DirectoryUnavailableError } from '../core/errors.js';
import type { DirectoryAccount } from '../identity/account.js';
import { and, equals, or } from './ldap-filter.js';
import { LdapServers, type DirectoryLog } from './ldap-servers.js';
import { IN_CHAIN_OID } from './presets.js';
import type { LdapSourceConfig } from './sources-file.js';

/** Bounds on a user's groups: how deep nesting is followed, and how many groups count. */
const MAX_NESTING = 10;
const MAX_GROUPS = 1000;

interface FoundUser {
  dn: string;
  name: string;
  memberOf: string[];
}

interface FoundGroup {
  dn: string;
  name: string;
  memberOf: string[];
}

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((candidate) => candidate.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
}

/** A base DN the directory does not have is a mistake of the configuration: the source cannot serve (503), the client did nothing wrong. */
function misconfigured(error: unknown, baseDn: string): unknown {
  return error instanceof NoSuchObjectError ? new DirectoryUnavailableError(`the directory has no base DN ${baseDn}`) : error;
}

/**
 * An LDAP or Active Directory identity source: a user is found by the service account, then proves
 * the password by binding as itself (the password is never compared here); its groups are read with
 * the service account, nested ones included where configured.
 */
export class LdapIdentitySource {
  readonly domain: string;
  readonly alias: string | undefined;
  readonly #config: LdapSourceConfig;
  readonly #servers: LdapServers;
  readonly #clock: Clock;

  constructor(config: LdapSourceConfig, clock: Clock, log: DirectoryLog) {
    this.domain = config.domain;
    this.alias = config.alias;
    this.#config = config;
    this.#clock = clock;
    this.#servers = new LdapServers(config, clock, log);
  }

  /** The account with its groups when the directory accepts the password; undefined for a wrong password or unknown user alike. */
  async authenticate(name: string, password: string): Promise<DirectoryAccount | undefined> {
    if (password === '') return undefined;
    const user = await this.#findUser(name);
    // An unknown user costs a bind too (to a DN no entry has), so that the time of the answer does not tell who exists.
    const accepted = await this.#servers.bindAs(user?.dn ?? `cn=vapi-auth-no-such-user,${this.#config.userBaseDn}`, password);
    return user && accepted ? this.#account(user) : undefined;
  }

  /** The account as the directory has it now (groups read again); undefined when it is gone. */
  async lookup(name: string): Promise<DirectoryAccount | undefined> {
    const user = await this.#findUser(name);
    return user && this.#account(user);
  }

  close(): Promise<void> {
    return this.#servers.close();
  }

  async #account(user: FoundUser): Promise<DirectoryAccount> {
    const groups = await this.#groupsOf(user);
    return {
      key: `${user.name.toLowerCase()}@${this.domain}`,
      name: user.name,
      domain: this.domain,
      groups: [...new Set(groups.map((group) => `${group.toLowerCase()}@${this.domain}`))].sort(),
      groupsReadAt: this.#clock.now(),
    };
  }

  /** Exactly one user entry matches, or none counts: an ambiguous name logs in nobody. */
  async #findUser(name: string): Promise<FoundUser | undefined> {
    const { schema } = this.#config;
    const names = [equals(schema.userName, name)];
    if (schema.userPrincipalName) names.push(equals(schema.userPrincipalName, `${name}@${this.domain}`));
    const filter = and(equals('objectClass', schema.userObjectClass), or(...names));
    let entries: Entry[];
    try {
      entries = await this.#servers.asService(async (client) => {
        const result = await client.search(this.#config.userBaseDn, { scope: 'sub', filter, sizeLimit: 2, attributes: [schema.userName, schema.memberOf] });
        return result.searchEntries;
      });
    } catch (error) {
      if (error instanceof SizeLimitExceededError) return undefined;
      throw misconfigured(error, this.#config.userBaseDn);
    }
    if (entries.length !== 1) return undefined;
    const entry = entries[0]!;
    const canonical = values(entry, schema.userName)[0];
    if (canonical === undefined || entry.dn === '') return undefined;
    return { dn: entry.dn, name: canonical, memberOf: values(entry, schema.memberOf) };
  }

  /** The names of the user's groups, nested ones included when configured. */
  async #groupsOf(user: FoundUser): Promise<string[]> {
    const { schema, groups: lookup, nestedGroups } = this.#config;
    if (lookup === 'in-chain') {
      // AD resolves the whole chain in one search.
      const rule = nestedGroups ? `${schema.member}:${IN_CHAIN_OID}:` : schema.member;
      return (await this.#searchGroups(equals(rule, user.dn))).map((group) => group.name);
    }
    const seen = new Map<string, string>();
    let level: FoundGroup[] =
      lookup === 'memberOf' ? await this.#readGroups(user.memberOf) : await this.#searchGroups(equals(schema.member, user.dn));
    for (let depth = 0; level.length > 0 && seen.size < MAX_GROUPS; depth++) {
      const fresh = level.filter((group) => !seen.has(group.dn.toLowerCase()));
      for (const group of fresh) seen.set(group.dn.toLowerCase(), group.name);
      if (!nestedGroups || depth + 1 >= MAX_NESTING || fresh.length === 0) break;
      level =
        lookup === 'memberOf'
          ? await this.#readGroups(fresh.flatMap((group) => group.memberOf))
          : await this.#searchGroups(or(...fresh.map((group) => equals(schema.member, group.dn))));
    }
    return [...seen.values()].slice(0, MAX_GROUPS);
  }

  /** Groups below the group base DN matching `memberFilter`. */
  #searchGroups(memberFilter: string): Promise<FoundGroup[]> {
    const { schema } = this.#config;
    const filter = and(equals('objectClass', schema.groupObjectClass), memberFilter);
    return this.#servers
      .asService(async (client) => {
        const result = await client.search(this.#config.groupBaseDn, { scope: 'sub', filter, sizeLimit: MAX_GROUPS, attributes: [schema.groupName, schema.memberOf] });
        return result.searchEntries.flatMap((entry) => this.#group(entry));
      })
      .catch((error: unknown) => {
        throw misconfigured(error, this.#config.groupBaseDn);
      });
  }

  /** The group entries of DNs (from `memberOf`), each read on its own; a DN that is gone or not a group is skipped. */
  async #readGroups(dns: readonly string[]): Promise<FoundGroup[]> {
    const { schema } = this.#config;
    const unique = [...new Set(dns)].slice(0, MAX_GROUPS);
    const filter = equals('objectClass', schema.groupObjectClass);
    const found = await Promise.all(
      unique.map((dn) =>
        this.#servers.asService(async (client) => {
          try {
            const result = await client.search(dn, { scope: 'base', filter, attributes: [schema.groupName, schema.memberOf] });
            return result.searchEntries.flatMap((entry) => this.#group(entry));
          } catch (error) {
            if (error instanceof NoSuchObjectError) return [];
            throw error;
          }
        }),
      ),
    );
    return found.flat();
  }

  #group(entry: Entry): FoundGroup[] {
    const name = values(entry, this.#config.schema.groupName)[0];
    return name === undefined ? [] : [{ dn: entry.dn, name, memberOf: values(entry, this.#config.schema.memberOf) }];
  }
}
