import { formatDateTime } from '../../core/datetime.js';
import { defineOwn } from '../../core/own-property.js';
import { invalidArgument, unexpectedInput, VapiError } from '../../core/errors.js';
import type { LocalizableMessage } from '../../core/messages.js';
import { decodeBase64, decodeScalar, isPlainObject, isScalar, wrongType } from '../../core/plain-json.js';
import { TypedValue, type StructType, type VType } from '../../core/types.js';
import { XsdDouble } from './json-text.js';
import { errorTypeNamed, stdErrorType } from './std-error-type.js';

/**
 * The vAPI DataValue form of JSON-RPC (jsonrpc.md §5): every object is a one-key tag
 * (`STRUCTURE`, `ERROR`, `OPTIONAL`, `SECRET`, `BINARY`), maps are lists of `map-entry`
 * structures. Encoding and decoding both walk the operation's VType.
 */

const MAP_ENTRY = 'map-entry';
/** Name given to a dynamic structure whose native value carries none (e.g. error `data`). */
export const DYNAMIC_STRUCTURE = 'vmware.vapi.dynamic_struct';

/** The content of the one-key tag `tag`, or undefined when `value` is not such a tag. */
function tagged(value: unknown, tag: string): { found: true; content: unknown } | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === tag ? { found: true, content: value[tag] } : undefined;
}

/** `{"STRUCTURE":{name:{…}}}` (or `ERROR`) → [name, fields]; undefined when not that shape. */
function namedFields(value: unknown, tag: 'STRUCTURE' | 'ERROR'): [string, Record<string, unknown>] | undefined {
  const content = tagged(value, tag)?.content;
  if (!isPlainObject(content)) return undefined;
  const names = Object.keys(content);
  const fields = content[names[0]!];
  return names.length === 1 && isPlainObject(fields) ? [names[0]!, fields] : undefined;
}

function decodeFields(type: StructType, fields: Record<string, unknown>, path: string): Record<string, unknown> {
  for (const name of Object.keys(fields)) {
    if (!Object.hasOwn(type.fields, name)) throw unexpectedInput(path ? `${path}.${name}` : name);
  }
  const out: Record<string, unknown> = {};
  for (const [name, fieldType] of Object.entries(type.fields)) {
    const fieldPath = path ? `${path}.${name}` : name;
    const raw = fields[name];
    if (raw === undefined) {
      if (fieldType.kind === 'optional') continue;
      throw invalidArgument('com.vmware.vapi.endpoint.input.missing', `Missing required input ${fieldPath}.`, [fieldPath]);
    }
    const decoded = decodeDataValue(fieldType, raw, fieldPath);
    if (decoded !== undefined) out[name] = decoded;
  }
  return out;
}

function decodeStruct(type: StructType, value: unknown, path: string): Record<string, unknown> {
  const named = namedFields(value, 'STRUCTURE');
  if (!named || named[0] !== type.name) return wrongType(path, `a structure ${type.name}`);
  return decodeFields(type, named[1], path);
}

function decodeMap(type: Extract<VType, { kind: 'map' }>, value: unknown, path: string): Record<string, unknown> {
  if (!Array.isArray(value)) return wrongType(path, 'a list of map-entry structures');
  const out: Record<string, unknown> = {};
  value.forEach((item, index) => {
    const named = namedFields(item, 'STRUCTURE');
    const entryPath = `${path}[${index}]`;
    if (!named || named[0] !== MAP_ENTRY || !('key' in named[1]) || !('value' in named[1])) wrongType(entryPath, 'a map-entry');
    const key = decodeDataValue(type.key, named[1].key, `${entryPath}.key`) as string;
    if (Object.hasOwn(out, key)) wrongType(path, 'a map without duplicate keys');
    defineOwn(out, key, decodeDataValue(type.value, named[1].value, `${entryPath}.value`));
  });
  return out;
}

function decodeError(value: unknown, path: string): VapiError {
  const named = namedFields(value, 'ERROR');
  const errorType = named && errorTypeNamed(named[0]);
  if (!named || !errorType) return wrongType(path, 'a standard error');
  const fields = decodeFields(stdErrorType(errorType), named[1], path);
  return new VapiError(errorType, fields.messages as LocalizableMessage[], {
    ...(fields.data !== undefined ? { data: fields.data as Record<string, unknown> } : {}),
    ...(fields.challenge !== undefined ? { challenge: fields.challenge as string } : {}),
  });
}

/** A tagged value of unknown type as plain JSON: structures become objects, wrappers their content. */
function decodeUntyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeUntyped);
  if (!isPlainObject(value)) return value;
  const named = namedFields(value, 'STRUCTURE') ?? namedFields(value, 'ERROR');
  if (named) return Object.fromEntries(Object.entries(named[1]).map(([key, item]) => [key, decodeUntyped(item)]));
  for (const tag of ['OPTIONAL', 'SECRET', 'BINARY']) {
    const wrapped = tagged(value, tag);
    if (wrapped) return wrapped.content === null ? undefined : decodeUntyped(wrapped.content);
  }
  return value;
}

/** DataValue → native value of `type`; throws INVALID_ARGUMENT or UNEXPECTED_INPUT naming `path`. */
export function decodeDataValue(type: VType, value: unknown, path: string): unknown {
  if (isScalar(type)) return decodeScalar(type, value, path);
  switch (type.kind) {
    case 'secret': {
      const secret = tagged(value, 'SECRET')?.content;
      return typeof secret === 'string' ? secret : wrongType(path, 'a SECRET string');
    }
    case 'binary':
      return decodeBase64(tagged(value, 'BINARY')?.content, path, 'BINARY base64 text');
    case 'optional': {
      const wrapped = tagged(value, 'OPTIONAL') ?? wrongType(path, 'an OPTIONAL value');
      return wrapped.content === null ? undefined : decodeDataValue(type.of, wrapped.content, path);
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return wrongType(path, 'a list');
      const items = value.map((item, index) => decodeDataValue(type.of, item, `${path}[${index}]`));
      if (type.kind === 'set' && new Set(items.map((item) => JSON.stringify(item))).size !== items.length) {
        wrongType(path, 'a set without duplicates');
      }
      return items;
    }
    case 'map':
      return decodeMap(type, value, path);
    case 'struct':
      return decodeStruct(type, value, path);
    case 'void':
      return value === null || value === undefined ? undefined : wrongType(path, 'no value');
    case 'opaque':
      return decodeUntyped(value);
    case 'dynamic':
      return namedFields(value, 'STRUCTURE') ? decodeUntyped(value) : wrongType(path, 'a structure');
    case 'error':
      return decodeError(value, path);
  }
}

function encodeFields(type: StructType, value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(type.fields).map(([name, fieldType]) => [name, encodeDataValue(fieldType, value[name])]));
}

/** Plain JSON of unknown type as DataValue: objects become dynamic structures, fractions doubles. */
function encodeUntyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(encodeUntyped);
  if (isPlainObject(value)) {
    const fields = Object.entries(value).filter(([, item]) => item !== undefined);
    return { STRUCTURE: { [DYNAMIC_STRUCTURE]: Object.fromEntries(fields.map(([key, item]) => [key, encodeUntyped(item)])) } };
  }
  return typeof value === 'number' && !Number.isInteger(value) ? new XsdDouble(value) : value;
}

/** An error value: its structure's fields under the ERROR tag, named by the structure (the error's id). */
export function encodeErrorValue(type: StructType, value: Record<string, unknown>): unknown {
  return { ERROR: { [type.name]: encodeFields(type, value) } };
}

function encodeError(error: VapiError): unknown {
  const native = { messages: error.messages, data: error.data, error_type: error.errorType, challenge: error.challenge };
  return encodeErrorValue(stdErrorType(error.errorType), native);
}

/**
 * Native value of `type` → DataValue, ready for `toJsonText`. Optional fields are always
 * written, unset ones as `{"OPTIONAL":null}`.
 */
export function encodeDataValue(type: VType, value: unknown): unknown {
  switch (type.kind) {
    case 'secret':
      return { SECRET: value };
    case 'double':
      return new XsdDouble(value as number);
    case 'datetime':
      return formatDateTime(value as Date | number);
    case 'binary':
      return { BINARY: Buffer.from(value as Uint8Array).toString('base64') };
    case 'optional':
      return { OPTIONAL: value === undefined ? null : encodeDataValue(type.of, value) };
    case 'list':
    case 'set':
      return (value as unknown[]).map((item) => encodeDataValue(type.of, item));
    case 'map':
      return Object.entries(value as Record<string, unknown>).map(([key, item]) => ({
        STRUCTURE: { [MAP_ENTRY]: { key: encodeDataValue(type.key, key), value: encodeDataValue(type.value, item) } },
      }));
    case 'struct':
      return { STRUCTURE: { [type.name]: encodeFields(type, value as Record<string, unknown>) } };
    case 'void':
      return null;
    case 'opaque':
      return value instanceof TypedValue ? encodeDataValue(value.type, value.value) : encodeUntyped(value);
    case 'dynamic':
      return encodeUntyped(value);
    case 'error':
      return encodeError(value as VapiError);
    default:
      return value;
  }
}
