import { describe, expect, it } from 'vitest';
import { createServer } from '../server.js';
import { MemoryStore } from '../store/memory-store.js';
import { operationInput, t } from '../core/types.js';
import { SCHEMES } from '../core/schemes.js';
import { openApiDocument } from './openapi-document.js';
import { apiBindings } from '../core/operations.js';
import { ephemeralJwtKey } from '../jwt/jwt-signing-key.js';

type Doc = {
  paths: Record<string, Record<string, { operationId: string; security: Record<string, unknown>[]; responses: Record<string, unknown>; requestBody?: unknown; parameters: { name: string }[] }>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }>; securitySchemes: Record<string, unknown> };
};

function documentOf(services = []) {
  const server = createServer({ store: new MemoryStore(), logLevel: 'silent', services });
  return { doc: openApiDocument(server.table, '1.0.0') as unknown as Doc, server };
}

describe('the OpenAPI document', () => {
  it('lists every operation of the table with an /api binding, by method and path', async () => {
    const { doc, server } = documentOf();
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method} ${path} ${op.operationId}`));
    const expected = server.table.operations().flatMap((r) =>
      apiBindings(r.operation).map((b, i) => {
        const path = b.action ? `${b.path}?action=${b.action}` : b.path;
        return `${b.method.toLowerCase()} ${path} ${r.service.id}.${r.operation.id}${i > 0 ? `_${i + 1}` : ''}`;
      }),
    );
    expect(listed.sort()).toEqual(expected.sort());
    const ids = listed.map((entry) => entry.split(' ')[2]);
    expect(new Set(ids).size, 'operation ids are unique').toBe(ids.length);
    await server.close();
  });

  it('states the privileges each operation needs, as the server enforces them', async () => {
    const { doc, server } = documentOf();
    const list = doc.paths['/cis/tasks?action=list']!.post! as unknown as { 'x-vmw-privileges': string[]; description: string };
    expect(list['x-vmw-privileges']).toEqual(['System.Read']);
    expect(list.description).toBe('Privileges: System.Read.');
    expect((doc.paths['/session']!.post! as unknown as { 'x-vmw-privileges': string[] })['x-vmw-privileges']).toEqual([]);
    await server.close();
  });

  it('states the schemes and statuses the server enforces', async () => {
    const { doc, server } = documentOf();
    expect(doc.paths['/session']!.post!.security).toEqual([{ basic_auth: [] }]);
    expect(doc.paths['/session']!.get!.security).toEqual([{ api_key_auth: [] }]);
    expect(Object.keys(doc.paths['/session']!.post!.responses).sort()).toEqual(['201', '400', '401', '503']);
    expect(Object.keys(doc.paths['/session']!.delete!.responses)).toContain('204');
    expect(doc.components.schemas['Cis.Session.Info']).toMatchObject({ required: ['user', 'created_time', 'last_accessed_time'] });
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api_key_auth', 'basic_auth']);
    await server.close();
  });

  it('follows a new service into paths, parameters, bodies and schemas', async () => {
    const { doc, server } = documentOf([
      {
        id: 'com.example.things',
        schemes: [SCHEMES.sessionId],
        operations: [
          {
            id: 'rename',
            input: operationInput({ thing: t.id(), name: t.string, note: t.optional(t.string) }),
            output: t.void,
            errors: ['NOT_FOUND'],
            api: { method: 'POST', path: '/things/{thing}', action: 'rename' },
            handler: async () => undefined,
          },
        ],
      },
    ] as never);
    const op = doc.paths['/things/{thing}?action=rename']!.post!;
    expect(op.parameters.map((p) => p.name)).toEqual(['thing']);
    expect(JSON.stringify(op.requestBody)).toContain('"required":["name"]');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['204', '404']));
    await server.close();
  });

  it('shows the token exchange as it is served: no security, JSON or form body, OAuth 2.0 errors with 400', async () => {
    const server = createServer({ store: new MemoryStore(), logLevel: 'silent', jwt: { keys: await ephemeralJwtKey(0) }, saml: { trustedCertificates: [] } });
    const doc = openApiDocument(server.table, '1.0.0') as unknown as Doc;
    const issue = doc.paths['/vcenter/authentication/token']!.post!;
    expect(issue.security).toEqual([]);
    expect(Object.keys((issue.requestBody as { content: object }).content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(Object.keys(issue.responses).sort()).toEqual(['200', '400', '503']);
    const bad = issue.responses['400'] as { description: string; content: { 'application/json': { schema: { oneOf: { $ref: string }[] } } } };
    expect(bad.description).toBe('com.vmware.oauth2.errors.invalid_request, com.vmware.oauth2.errors.invalid_scope, com.vmware.oauth2.errors.invalid_grant');
    expect(bad.content['application/json'].schema.oneOf.map((item) => item.$ref)).toEqual(
      ['InvalidRequest', 'InvalidScope', 'InvalidGrant'].map((name) => `#/components/schemas/Oauth2.Errors.${name}`),
    );
    expect(doc.components.schemas['Oauth2.Errors.InvalidGrant']).toMatchObject({ required: ['error', 'error_description'] });
    await server.close();
  });
});
