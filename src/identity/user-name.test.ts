import { describe, expect, it } from 'vitest';
import { parseUserName, userKey } from './user-name.js';

describe('parseUserName', () => {
  it('reads name@domain, DOMAIN\\name and a bare name', () => {
    expect(parseUserName('administrator@vsphere.local', 'vsphere.local')).toEqual({ name: 'administrator', domain: 'vsphere.local' });
    expect(parseUserName('VSPHERE.LOCAL\\Administrator', 'vsphere.local')).toEqual({ name: 'Administrator', domain: 'vsphere.local' });
    expect(parseUserName('admin', 'vsphere.local')).toEqual({ name: 'admin', domain: 'vsphere.local' });
  });

  it('refuses empty parts, mixed separators and control characters', () => {
    for (const input of ['', '@vsphere.local', 'admin@', '\\admin', 'D\\a@b', 'a\\b\\c', 'ad min', 'a\u0000b', 'a@b@c']) {
      expect(parseUserName(input, 'vsphere.local'), input).toBeUndefined();
    }
  });

  it('refuses text not in NFKC form: the Kelvin sign, fullwidth letters, ligatures, a decomposed accent', () => {
    for (const input of ['\u212Aate', 'ａｄｍｉｎ', 'ﬁona', 'admin@vsphere.loca\u2113', 'jose\u0301']) {
      expect(parseUserName(input, 'vsphere.local'), input).toBeUndefined();
    }
  });

  it('accepts names beyond ASCII in NFKC form, and keys them case-insensitively', () => {
    expect(userKey(parseUserName('JOSÉ@vsphere.local', 'vsphere.local')!)).toBe('josé@vsphere.local');
  });

  it('keys accounts case-insensitively', () => {
    expect(userKey({ name: 'Administrator', domain: 'VSPHERE.LOCAL' })).toBe('administrator@vsphere.local');
  });
});
