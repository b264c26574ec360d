import { describe, expect, it } from 'vitest';
import { and, equals, escapeFilterValue, or } from './ldap-filter.js';

describe('LDAP filter values (RFC 4515)', () => {
  it('escape the five special characters and nothing else', () => {
    expect(escapeFilterValue('ann')).toBe('ann');
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue(')(uid=*')).toBe('\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\00b')).toBe('a\\5c00b');
    expect(escapeFilterValue('nul\u0000')).toBe('nul\\00');
    expect(escapeFilterValue('Jörg O’Brien')).toBe('Jörg O’Brien');
  });

  it('keep an injected filter inside one assertion value', () => {
    const filter = and(equals('objectClass', 'inetOrgPerson'), equals('uid', '*)(|(uid=*'));
    expect(filter).toBe('(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28|\\28uid=\\2a))');
    expect(or(equals('uid', 'a'))).toBe('(uid=a)');
    expect(or(equals('uid', 'a'), equals('mail', 'b'))).toBe('(|(uid=a)(mail=b))');
  });
});
