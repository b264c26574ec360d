import type { VType } from '../core/types.js';

export type Schema = Record<string, unknown>;

/** Component name of a structure: `com.vmware.cis.session.info` → `Cis.Session.Info`, as vCenter's own document names them. */
export function componentName(structName: string): string {
  return structName
    .replace(/^com\.vmware\./, '')
    .split('.')
    .map((part) => part.split('_').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(''))
    .join('.');
}

/** The JSON schema of a type in the `/api` dialect; structures are collected into `components`. */
export function jsonSchema(type: VType, components: Record<string, Schema>): Schema {
  switch (type.kind) {
    case 'string':
    case 'id':
      return { type: 'string' };
    case 'secret':
      return { type: 'string', format: 'password' };
    case 'long':
      return { type: 'integer', format: 'int64' };
    case 'double':
      return { type: 'number', format: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'binary':
      return { type: 'string', format: 'byte' };
    case 'enum':
      return { type: 'string', enum: [...type.values] };
    case 'optional':
      return jsonSchema(type.of, components);
    case 'list':
      return { type: 'array', items: jsonSchema(type.of, components) };
    case 'set':
      return { type: 'array', uniqueItems: true, items: jsonSchema(type.of, components) };
    case 'map':
      return { type: 'object', additionalProperties: jsonSchema(type.value, components) };
    case 'struct': {
      const name = componentName(type.name);
      if (!components[name]) {
        components[name] = {}; // reserve first: a structure may refer to itself
        components[name] = objectSchema(type.fields, components);
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    case 'error':
      return { $ref: '#/components/schemas/Vapi.Std.Errors.Error' };
    case 'void':
    case 'opaque':
    case 'dynamic':
      return {};
  }
}

/** An object schema written in place (e.g. a request body, which has no structure name of its own). */
export function objectSchema(fields: Readonly<Record<string, VType>>, components: Record<string, Schema>): Schema {
  const required = Object.entries(fields).filter(([, field]) => field.kind !== 'optional').map(([key]) => key);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, jsonSchema(field, components)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}
