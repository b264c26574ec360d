import { describe, expect, it } from 'vitest';
import { OperationTable } from '../core/operation-table.js';
import type { ServiceDefinition } from '../core/operations.js';
import { SCHEMES } from '../core/schemes.js';
import { operationInput, t } from '../core/types.js';
import { AuthenticationMetadata } from './authentication-metadata.js';

function service(id: string, schemes?: readonly (typeof SCHEMES)[keyof typeof SCHEMES][], opSchemes?: readonly (typeof SCHEMES)[keyof typeof SCHEMES][]): ServiceDefinition {
  return {
    id,
    ...(schemes ? { schemes } : {}),
    operations: [
      { id: 'get', input: operationInput(), output: t.void, errors: [], ...(opSchemes ? { schemes: opSchemes } : {}), handler: async () => undefined },
      { id: 'list', input: operationInput(), output: t.void, errors: [], handler: async () => undefined },
    ],
  };
}

function table(): OperationTable {
  return new OperationTable()
    .definePackage('com.vmware.cis', [SCHEMES.sessionId])
    .addService(service('com.vmware.cis.session', [SCHEMES.sessionId], [SCHEMES.userPass]))
    .addService(service('com.vmware.cis.tasks'))
    .addService(service('com.vmware.cis.tagging.tag', undefined, [SCHEMES.oauth]));
}

describe('authentication metadata', () => {
  it('lists only what declares schemes, at the level it declares them', () => {
    const metadata = new AuthenticationMetadata(table());
    expect(metadata.services()).toEqual(['com.vmware.cis.session', 'com.vmware.cis.tagging.tag']);
    expect(metadata.packages()).toEqual(['com.vmware.cis']);
    expect(metadata.components()).toEqual(['com.vmware.cis']);
    expect(metadata.operations('com.vmware.cis.session')).toEqual(['get']);
    expect(metadata.operations('com.vmware.cis.tasks')).toBeUndefined();
    expect(metadata.package('com.vmware.cis')!.services['com.vmware.cis.tagging.tag']).toEqual({
      schemes: [],
      operations: { get: { schemes: [{ scheme_type: 'SESSIONLESS', scheme: SCHEMES.oauth }] } },
    });
    expect(metadata.service('com.vmware.cis.session')!.schemes).toEqual([
      { scheme_type: 'SESSION_AWARE', session_manager: 'com.vmware.cis.session', scheme: SCHEMES.sessionId },
    ]);
  });

  it('files a service outside every declared package under its own package and component', () => {
    const metadata = new AuthenticationMetadata(table().addService(service('com.example.firmware', [SCHEMES.sessionId])));
    expect(metadata.packages()).toEqual(['com.example', 'com.vmware.cis']);
    expect(metadata.components()).toEqual(['com.example', 'com.vmware.cis']);
    expect(metadata.package('com.example')!.schemes).toEqual([]);
  });

  it('changes the fingerprint of a component when, and only when, its authentication data changes', () => {
    const base = new AuthenticationMetadata(table()).component('com.vmware.cis')!.fingerprint;
    expect(new AuthenticationMetadata(table()).component('com.vmware.cis')!.fingerprint).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    // Another component's change, or an operation without schemes of its own, leaves it alone.
    const elsewhere = table().addService(service('com.example.firmware', [SCHEMES.sessionId]));
    expect(new AuthenticationMetadata(elsewhere).component('com.vmware.cis')!.fingerprint).toBe(base);
    expect(new AuthenticationMetadata(table().addService(service('com.vmware.cis.plain'))).component('com.vmware.cis')!.fingerprint).toBe(base);
    // Any change inside it moves it: a package's, a service's or an operation's schemes.
    const variants = [
      table().definePackage('com.vmware.cis', [SCHEMES.sessionId, SCHEMES.oauth]),
      table().setServiceSchemes('com.vmware.cis.tasks', [SCHEMES.sessionId]),
      table().setOperationSchemes('com.vmware.cis.session', 'get', [SCHEMES.sessionId]),
    ];
    for (const variant of variants) expect(new AuthenticationMetadata(variant).component('com.vmware.cis')!.fingerprint).not.toBe(base);
  });
});
