import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OperationTable } from '../core/operation-table.js';
import { SCHEMES } from '../core/schemes.js';
import { operationInput, t } from '../core/types.js';
import { applyAuthDefinition, AuthDefinitionError, parseAuthDefinition } from './auth-definition.js';

function table(): OperationTable {
  const op = (id: string) => ({ id, input: operationInput(), output: t.void, errors: [], handler: async () => undefined });
  return new OperationTable()
    .definePackage('com.vmware.cis', [SCHEMES.sessionId])
    .addService({ id: 'com.vmware.cis.session', schemes: [SCHEMES.sessionId], operations: [op('create'), op('get')] })
    .addService({ id: 'com.vmware.cis.tasks', operations: [op('list')] });
}
const supported = new Set([SCHEMES.userPass, SCHEMES.sessionId, SCHEMES.oauth]);

function errorOf(text: string): string {
  try {
    parseAuthDefinition(text, 'auth.yaml', table(), supported);
  } catch (error) {
    if (error instanceof AuthDefinitionError) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('the authentication definition file', () => {
  it('reads YAML and JSON, short scheme names and full ids, and the table follows it', () => {
    const yaml = 'packages:\n  com.vmware.cis: [session_id, oauth]\nservices:\n  com.vmware.cis.tasks: [oauth]\noperations:\n  com.vmware.cis.session.create: [user_pass, com.vmware.vapi.std.security.oauth]\n';
    const json = JSON.stringify({ packages: { 'com.vmware.cis': ['session_id', 'oauth'] }, services: { 'com.vmware.cis.tasks': ['oauth'] }, operations: { 'com.vmware.cis.session.create': ['user_pass', 'oauth'] } });
    for (const text of [yaml, json]) {
      const target = table();
      applyAuthDefinition(target, parseAuthDefinition(text, 'auth', target, supported));
      expect(target.lookup('com.vmware.cis.tasks', 'list')!.schemes).toEqual([SCHEMES.oauth]);
      expect(target.lookup('com.vmware.cis.session', 'create')!.schemes).toEqual([SCHEMES.userPass, SCHEMES.oauth]);
      expect(target.lookup('com.vmware.cis.session', 'get')!.schemes).toEqual([SCHEMES.sessionId]);
      expect(target.packageSchemes().get('com.vmware.cis')).toEqual([SCHEMES.sessionId, SCHEMES.oauth]);
    }
  });

  it('names the file, line and key of every mistake', () => {
    expect(errorOf('packages:\n  com.vmware.cis: [session_id]\ncolours: {}\n')).toBe('auth.yaml:3:1: unknown section "colours" (expected packages, services, operations)');
    expect(errorOf('services:\n  com.vmware.cis.nothing: [session_id]\n')).toBe('auth.yaml:2:3: services: no service com.vmware.cis.nothing');
    expect(errorOf('packages:\n  com.vmware.cis: [session_id]\n  com.vmare.cis: [oauth]\n')).toBe('auth.yaml:3:3: packages: no service lies in package com.vmare.cis');
    expect(errorOf('packages:\n  com.vmware.ci: [session_id]\n')).toBe('auth.yaml:2:3: packages: no service lies in package com.vmware.ci');
    expect(errorOf('packages:\n  com.vmware.cis: [session_id]\n  com.vmware.cis: [oauth]\n')).toBe('auth.yaml:3:3: packages: com.vmware.cis is given twice');
    expect(errorOf('services:\n  com.vmware.cis.tasks: [oauth]\nservices:\n  com.vmware.cis.session: [oauth]\n')).toBe('auth.yaml:3:1: section services is given twice');
    expect(errorOf('operations:\n  com.vmware.cis.session.explode: [user_pass]\n')).toMatch(/^auth\.yaml:2:3: operations: no operation com\.vmware\.cis\.session\.explode/);
    expect(errorOf('packages:\n  com.vmware.cis: [session_id, kerberos]\n')).toMatch(/^auth\.yaml:2:32: packages\.com\.vmware\.cis: unknown scheme "kerberos"/);
    expect(errorOf('packages:\n  com.vmware.cis: []\n')).toBe('auth.yaml:2:19: packages.com.vmware.cis: expected a non-empty list of schemes');
    expect(errorOf('services:\n  com.vmware.cis.tasks: [no_authentication]\n')).toMatch(/anonymous access may only be granted per operation/);
    expect(errorOf('packages:\n  com.vmware.cis: [saml_bearer_token]\n')).toMatch(/this server cannot check saml_bearer_token/);
    expect(errorOf('packages: [1, 2\n')).toMatch(/^auth\.yaml:\d+:\d+: /);
    expect(errorOf('- just\n- a list\n')).toMatch(/^auth\.yaml:1:1: expected a mapping/);
  });

  it('accepts an empty file as no change', () => {
    expect(parseAuthDefinition('', 'auth.yaml', table(), supported)).toEqual({ packages: {}, services: {}, operations: {} });
  });

  it('answers any damaged definition with an AuthDefinitionError naming the file, or reads it; it never fails otherwise', () => {
    const yaml = 'packages:\n  com.vmware.cis: [session_id, oauth]\nservices:\n  com.vmware.cis.tasks: [oauth]\noperations:\n  com.vmware.cis.session.create: [user_pass, oauth]\n';
    const damaged = fc.oneof(
      fc.nat(yaml.length - 1).map((at) => yaml.slice(0, at)),
      fc.nat(yaml.length - 1).map((at) => yaml.slice(0, at) + yaml.slice(at + 1)),
      fc.tuple(fc.nat(yaml.length - 1), fc.constantFrom(':', '-', '[', ']', '{', '}', '&a', '*a', '!!', '"', '\t', ' ', '\n', '#', '<<')).map(([at, c]) => yaml.slice(0, at) + c + yaml.slice(at)),
    );
    fc.assert(
      fc.property(damaged, (text) => {
        try {
          parseAuthDefinition(text, 'auth.yaml', table(), supported);
        } catch (error) {
          expect(error).toBeInstanceOf(AuthDefinitionError);
          expect((error as Error).message).toMatch(/^auth\.yaml(:\d+:\d+)?: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
