import { ERROR_TABLE, httpStatus, type ErrorType } from '../core/errors.js';
import type { ResolvedOperation } from '../core/operations.js';
import type { OperationTable } from '../core/operation-table.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';
import { jsonSchema, objectSchema, type Schema } from './json-schema.js';

/** OpenAPI security scheme per vAPI scheme, named as in vCenter's own `/api` document. */
const SECURITY_SCHEMES: Partial<Record<SchemeId, [string, Schema]>> = {
  [SCHEMES.userPass]: ['basic_auth', { type: 'http', scheme: 'basic' }],
  [SCHEMES.sessionId]: ['api_key_auth', { type: 'apiKey', in: 'header', name: 'vmware-api-session-id' }],
  [SCHEMES.oauth]: ['bearer_auth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }],
};

/** Errors every authenticated operation may answer, whatever it declares. */
const INFRASTRUCTURE_ERRORS: readonly ErrorType[] = ['INVALID_REQUEST', 'UNEXPECTED_INPUT', 'UNAUTHENTICATED'];

const ERROR_SCHEMA: Schema = {
  type: 'object',
  required: ['error_type', 'messages'],
  properties: {
    error_type: { type: 'string', enum: ERROR_TABLE.map((row) => row.type) },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'default_message', 'args'],
        properties: {
          id: { type: 'string' },
          default_message: { type: 'string' },
          args: { type: 'array', items: { type: 'string' } },
          localized: { type: 'string' },
        },
      },
    },
    data: { type: 'object' },
    challenge: { type: 'string' },
  },
};

function pathParameters(path: string): Schema[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

function operationObject(resolved: ResolvedOperation, components: Record<string, Schema>): Schema {
  const { service, operation, schemes } = resolved;
  const binding = operation.api!;
  const responses: Record<string, Schema> = {};
  const success = binding.status ?? (operation.output.kind === 'void' ? 204 : 200);
  responses[String(success)] =
    operation.output.kind === 'void'
      ? { description: 'Success.' }
      : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(operation.output, components) } } };
  for (const type of new Set([...INFRASTRUCTURE_ERRORS, ...operation.errors])) {
    const status = String(httpStatus(type, 'api', operation.statusOverrides));
    responses[status] ??= { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Vapi.Std.Errors.Error' } } } };
    (responses[status] as { description: string }).description += `${responses[status]!.description ? ', ' : ''}${type}`;
  }
  const inputFields = Object.entries(operation.input.fields).filter(([name]) => !binding.path.includes(`{${name}}`));
  const body =
    inputFields.length > 0
      ? { requestBody: { content: { 'application/json': { schema: objectSchema(Object.fromEntries(inputFields), components) } } } }
      : {};
  return {
    operationId: `${service.id}.${operation.id}`,
    tags: [service.id],
    parameters: pathParameters(binding.path),
    ...body,
    security: schemes.flatMap((scheme) => (SECURITY_SCHEMES[scheme] ? [{ [SECURITY_SCHEMES[scheme]![0]]: [] }] : [])),
    responses,
  };
}

/** The OpenAPI 3.0 document of the `/api` dialect, derived from the operation table alone. */
export function openApiDocument(table: OperationTable, version: string): Schema {
  const components: Record<string, Schema> = { 'Vapi.Std.Errors.Error': ERROR_SCHEMA };
  const paths: Record<string, Record<string, Schema>> = {};
  const usedSchemes = new Set<SchemeId>();
  for (const resolved of table.operations()) {
    const binding = resolved.operation.api;
    if (!binding) continue;
    const path = binding.action ? `${binding.path}?action=${binding.action}` : binding.path;
    paths[path] ??= {};
    paths[path]![binding.method.toLowerCase()] = operationObject(resolved, components);
    for (const scheme of resolved.schemes) usedSchemes.add(scheme);
  }
  const securitySchemes = Object.fromEntries(
    [...usedSchemes].flatMap((scheme) => (SECURITY_SCHEMES[scheme] ? [SECURITY_SCHEMES[scheme]!] : [])),
  );
  return {
    openapi: '3.0.3',
    info: { title: 'vapi-auth', version },
    servers: [{ url: '/api' }],
    paths,
    components: { schemas: components, securitySchemes },
  };
}
