/** Which attributes and object classes name users, groups and memberships in a directory. */
export interface LdapSchema {
  userObjectClass: string;
  /** The attribute a user logs in with (`uid`, `sAMAccountName`). */
  userName: string;
  /** A second login attribute holding `name@domain` (AD's `userPrincipalName`); none when empty. */
  userPrincipalName: string;
  groupObjectClass: string;
  /** The attribute that names a group in a permission (`cn`, `sAMAccountName`). */
  groupName: string;
  /** The group attribute listing member DNs. */
  member: string;
  /** The user attribute listing group DNs (OpenLDAP's memberOf overlay, AD). */
  memberOf: string;
}

/**
 * How a user's groups are found: the user's `memberOf` values, a search for groups whose `member` is
 * the user, or AD's one search for the transitive closure (LDAP_MATCHING_RULE_IN_CHAIN).
 */
export type GroupLookup = 'memberOf' | 'member' | 'in-chain';

export interface Preset {
  schema: LdapSchema;
  groups: GroupLookup;
  /** Whether groups of groups count; for `in-chain` the directory resolves them itself. */
  nestedGroups: boolean;
}

export const PRESETS = {
  openldap: {
    schema: {
      userObjectClass: 'inetOrgPerson',
      userName: 'uid',
      userPrincipalName: '',
      groupObjectClass: 'groupOfNames',
      groupName: 'cn',
      member: 'member',
      memberOf: 'memberOf',
    },
    groups: 'memberOf',
    nestedGroups: true,
  },
  'active-directory': {
    schema: {
      userObjectClass: 'user',
      userName: 'sAMAccountName',
      userPrincipalName: 'userPrincipalName',
      groupObjectClass: 'group',
      groupName: 'sAMAccountName',
      member: 'member',
      memberOf: 'memberOf',
    },
    groups: 'in-chain',
    nestedGroups: true,
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** AD's LDAP_MATCHING_RULE_IN_CHAIN: `member:1.2.840.113556.1.4.1941:=<dn>` matches every group containing the DN at any depth. */
export const IN_CHAIN_OID = '1.2.840.113556.1.4.1941';
