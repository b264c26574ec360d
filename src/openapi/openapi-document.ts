import { ERROR_TABLE, httpStatus, type ErrorType } from '../core/errors.js';
import { apiBindings, type ApiBinding, type ResolvedOperation } from '../core/operations.js';
import type { OperationTable } from '../core/operation-table.js';
import { SCHEMES, type SchemeId } from '../core/schemes.js';
import { FORM_MEDIA_TYPE } from '../dialects/api/form-body.js';
import { jsonSchema, objectSchema, type Schema } from './json-schema.js';

/** OpenAPI security scheme per vAPI scheme, named as in vCenter's own `/api` document. */
const SECURITY_SCHEMES: Partial<Record<SchemeId, [string, Schema]>> = {
  [SCHEMES.userPass]: ['basic_auth', { type: 'http', scheme: 'basic' }],
  [SCHEMES.sessionId]: ['api_key_auth', { type: 'apiKey', in: 'header', name: 'vmware-api-session-id' }],
  [SCHEMES.oauth]: ['bearer_auth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }],
};

/**
 * Errors every operation may answer, whatever it declares: input mistakes (unless it reports them
 * as an error of its own) and, unless it takes no authentication, UNAUTHENTICATED.
 */
function infrastructureErrors({ operation, schemes }: ResolvedOperation): ErrorType[] {
  return [
    ...(operation.inputError ? [] : (['INVALID_REQUEST', 'UNEXPECTED_INPUT'] as const)),
    ...(schemes.includes(SCHEMES.none) ? [] : (['UNAUTHENTICATED'] as const)),
  ];
}

/** Adds an error to the response of its status: one schema, or several told apart by `oneOf`, each named in the description. */
function addResponse(responses: Record<string, Schema>, status: string, name: string, schema: Schema): void {
  const response = (responses[status] ??= { description: '', content: { 'application/json': { schema } } }) as { description: string; content: { 'application/json': { schema: Schema } } };
  const content = response.content['application/json'];
  if (response.description !== '' && JSON.stringify(content.schema) !== JSON.stringify(schema)) {
    const known = (content.schema.oneOf as Schema[] | undefined) ?? [content.schema];
    if (!known.some((item) => JSON.stringify(item) === JSON.stringify(schema))) content.schema = { oneOf: [...known, schema] };
  }
  response.description += `${response.description ? ', ' : ''}${name}`;
}

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

function parameters(binding: ApiBinding): Schema[] {
  const inPath = [...binding.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const inQuery = Object.keys(binding.query ?? {}).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
  return [...inPath, ...inQuery];
}

/**
 * One operation object. `bindingIndex` tells apart the bindings of an operation that has several
 * (e.g. `cis.tasks.list` by GET and by POST): operation ids must be unique in the document.
 */
function operationObject(resolved: ResolvedOperation, binding: ApiBinding, bindingIndex: number, asTask: boolean, components: Record<string, Schema>): Schema {
  const { service, operation, schemes, privileges } = resolved;
  const responses: Record<string, Schema> = {};
  if (asTask) {
    responses['202'] = { description: 'Task started; the body is its id.', content: { 'application/json': { schema: { type: 'string' } } } };
  } else {
    const success = binding.status ?? (operation.output.kind === 'void' ? 204 : 200);
    responses[String(success)] =
      operation.output.kind === 'void'
        ? { description: 'Success.' }
        : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(operation.output, components) } } };
  }
  for (const type of new Set([...infrastructureErrors(resolved), ...operation.errors])) {
    addResponse(responses, String(httpStatus(type, 'api', operation.statusOverrides)), type, { $ref: '#/components/schemas/Vapi.Std.Errors.Error' });
  }
  for (const declared of operation.declaredErrors ?? []) addResponse(responses, String(declared.status), declared.type.name, jsonSchema(declared.type, components));
  const inQuery = new Set(Object.values(binding.query ?? {}).map((path) => path.split('.')[0]));
  const inputFields = Object.entries(operation.input.fields).filter(
    ([name]) => !binding.path.includes(`{${name}}`) && !inQuery.has(name),
  );
  const formType = binding.form === undefined ? undefined : operation.input.fields[binding.form];
  const form = formType?.kind === 'struct' ? { [FORM_MEDIA_TYPE]: { schema: objectSchema(formType.fields, components) } } : {};
  const body =
    inputFields.length > 0
      ? { requestBody: { content: { 'application/json': { schema: objectSchema(Object.fromEntries(inputFields), components) }, ...form } } }
      : {};
  return {
    operationId: `${service.id}.${operation.id}${asTask ? '$task' : ''}${bindingIndex > 0 ? `_${bindingIndex + 1}` : ''}`,
    tags: [service.id],
    description: `Privileges: ${privileges.length > 0 ? privileges.join(', ') : 'none beyond authentication'}.`,
    'x-vmw-privileges': [...privileges],
    parameters: parameters(binding),
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
    const taskType = resolved.operation.task ?? 'none';
    for (const [index, binding] of apiBindings(resolved.operation).entries()) {
      const query = [binding.action ? `action=${binding.action}` : undefined];
      const forms = [...(taskType === 'task_only' ? [] : [false]), ...(taskType === 'none' ? [] : [true])];
      for (const asTask of forms) {
        const queryText = [...query, asTask ? 'vmw-task=true' : undefined].filter(Boolean).join('&');
        const path = queryText ? `${binding.path}?${queryText}` : binding.path;
        paths[path] ??= {};
        paths[path]![binding.method.toLowerCase()] = operationObject(resolved, binding, index, asTask, components);
      }
      for (const scheme of resolved.schemes) usedSchemes.add(scheme);
    }
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
