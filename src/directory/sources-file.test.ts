import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { IdentitySourcesError, parseIdentitySources } from './sources-file.js';

const dir = mkdtempSync(join(tmpdir(), 'vapi-auth-sources-'));
const file = join(dir, 'identity-sources.yaml');
writeFileSync(join(dir, 'bind-password'), 'B1nd-secret\n');
writeFileSync(join(dir, 'empty'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = [
  'sources:',
  '  - type: ldap',
  '    domain: Example.com',
  '    alias: EXAMPLE',
  '    preset: active-directory',
  '    url: [ldaps://dc1.example.com, ldaps://dc2.example.com:636]',
  '    bindDn: CN=vapi,CN=Users,DC=example,DC=com',
  '    bindPasswordFile: bind-password',
  '    userBaseDn: DC=example,DC=com',
  '    groupBaseDn: DC=example,DC=com',
];

const parse = (lines: string[]) => parseIdentitySources(lines.join('\n'), file, 'vsphere.local');

function problem(lines: string[]): string {
  try {
    parse(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(IdentitySourcesError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('an identity sources file', () => {
  it('gives a source its preset’s attributes, defaults and relative files, overridable attribute by attribute', () => {
    const config = parse([...SOURCE, '    timeout: 3s', '    attributes:', '      groupName: cn', 'defaultDomain: example']);
    const [source] = config.sources;
    expect(config.defaultDomain).toBe('example.com');
    expect(source).toMatchObject({
      domain: 'example.com',
      alias: 'example',
      urls: ['ldaps://dc1.example.com', 'ldaps://dc2.example.com:636'],
      startTls: false,
      groups: 'in-chain',
      nestedGroups: true,
      timeoutMs: 3000,
      connectTimeoutMs: 5000,
      schema: { userName: 'sAMAccountName', userPrincipalName: 'userPrincipalName', groupName: 'cn', userObjectClass: 'user' },
    });
    expect(source!.bindPassword.reveal()).toBe('B1nd-secret');
  });

  it('never shows the bind password: logged, inspected or serialized it is [secret]', () => {
    const config = parse(SOURCE);
    expect(JSON.stringify(config)).not.toContain('B1nd-secret');
    expect(inspect(config, { depth: 10 })).not.toContain('B1nd-secret');
    expect(`${config.sources[0]!.bindPassword}`).toBe('[secret]');
  });

  it('names the file, line and column of each mistake', () => {
    expect(problem(['sources: [']).startsWith(`${file}:`)).toBe(true);
    expect(problem(['sources: []'])).toBe(`${file}:1:10: sources: expected a non-empty list`);
    expect(problem([...SOURCE, '    colour: blue'])).toBe(`${file}:11:5: sources[0]: unknown key "colour" (known: ${[
      'type', 'domain', 'alias', 'preset', 'url', 'startTls', 'caFile', 'bindDn', 'bindPasswordFile', 'userBaseDn', 'groupBaseDn',
      'connectTimeout', 'timeout', 'retryInterval', 'attributes', 'groups', 'nestedGroups',
    ].join(', ')})`);
    expect(problem(SOURCE.map((line) => line.replace('preset: active-directory', 'preset: novell')))).toBe(`${file}:5:13: sources[0].preset: expected openldap or active-directory`);
    expect(problem(SOURCE.map((line) => line.replace('ldaps://dc1.example.com', 'http://dc1.example.com')))).toMatch(/:6:11: sources\[0\]\.url: "http:\/\/dc1\.example\.com" is not ldap:/);
    expect(problem(SOURCE.filter((line) => !line.includes('bindDn')))).toMatch(/:2:5: sources\[0\]: bindDn is required$/);
    expect(problem([...SOURCE, '    startTls: true'])).toMatch(/:11:15: .*StartTLS is for ldap:\/\/ URLs/);
    expect(problem([...SOURCE, '    timeout: soon'])).toMatch(/:11:14: sources\[0\]\.timeout: expected a duration/);
    expect(problem([...SOURCE, '    attributes:', '      userName: "uid)(x"'])).toMatch(/:12:17: .*is not an attribute or object class name/);
    expect(problem(SOURCE.map((line) => line.replace('domain: Example.com', 'domain: vsphere.local')))).toMatch(/:2:5: domain vsphere\.local is the local domain/);
    expect(problem([...SOURCE, ...SOURCE.slice(1).map((line) => line.replace('domain: Example.com', 'domain: other.com'))])).toMatch(/:11:5: alias example is already a domain or alias of another source/);
    expect(problem([...SOURCE, 'defaultDomain: nowhere.example'])).toMatch(/:11:16: defaultDomain: nowhere\.example is neither/);
  });

  it('refuses a bind password file that is missing or empty (an empty password is an anonymous bind)', () => {
    expect(problem(SOURCE.map((line) => line.replace('bind-password', 'missing')))).toMatch(/:8:23: sources\[0\]\.bindPasswordFile: cannot read .*missing \(ENOENT\)/);
    expect(problem(SOURCE.map((line) => line.replace('bind-password', 'empty')))).toMatch(/:8:23: .*the file is empty/);
  });
});
