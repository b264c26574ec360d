import { formatDateTime, parseDateTime } from './datetime.js';
import { plainErrorBody } from './error-body.js';
import { invalidArgument, unexpectedInput, VapiError } from './errors.js';
import { ERROR_TABLE } from './errors.js';
import type { LocalizableMessage } from './messages.js';
import { defineOwn } from './own-property.js';
import { localizableMessageType, t, TypedValue, type VType } from './types.js';

/**
 * Plain JSON, the value form of the REST dialects: `/api` writes maps as objects, the legacy
 * `/rest` dialect as `[{"key":…,"value":…}]` lists. Optional fields that are unset are omitted.
 */
export type MapStyle = 'object' | 'entries';

/** INVALID_ARGUMENT naming the input path and what was expected there. */
export function wrongType(path: string, expected: string): never {
  throw invalidArgument(
    'com.vmware.vapi.endpoint.input.invalid_type',
    `Invalid value for ${path}: expected ${expected}.`,
    [path, expected],
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kinds every JSON dialect writes as bare JSON values. */
export type ScalarType = Extract<VType, { kind: 'string' | 'id' | 'long' | 'double' | 'boolean' | 'datetime' | 'enum' }>;

const SCALAR_KINDS: ReadonlySet<VType['kind']> = new Set(['string', 'id', 'long', 'double', 'boolean', 'datetime', 'enum']);

export function isScalar(type: VType): type is ScalarType {
  return SCALAR_KINDS.has(type.kind);
}

/** A bare JSON value → native value of a scalar type; throws INVALID_ARGUMENT naming `path`. */
export function decodeScalar(type: ScalarType, value: unknown, path: string): unknown {
  switch (type.kind) {
    case 'string':
    case 'id':
      return typeof value === 'string' ? value : wrongType(path, 'a string');
    case 'long':
      return Number.isSafeInteger(value) ? value : wrongType(path, 'an integer');
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : wrongType(path, 'a number');
    case 'boolean':
      return typeof value === 'boolean' ? value : wrongType(path, 'true or false');
    case 'datetime': {
      const date = typeof value === 'string' ? parseDateTime(value) : undefined;
      return date ?? wrongType(path, 'an RFC 3339 date-time');
    }
    case 'enum':
      return typeof value === 'string' && type.values.includes(value)
        ? value
        : wrongType(path, `one of ${type.values.join(', ')}`);
  }
}

/** Base64 text → bytes; anything else is INVALID_ARGUMENT naming `path`. */
export function decodeBase64(value: unknown, path: string, expected: string): Buffer {
  return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? Buffer.from(value, 'base64') : wrongType(path, expected);
}

/** JSON value → native value of `type`; throws INVALID_ARGUMENT or UNEXPECTED_INPUT naming `path`. */
export function decodePlain(type: VType, value: unknown, path: string, maps: MapStyle): unknown {
  if (isScalar(type)) return decodeScalar(type, value, path);
  switch (type.kind) {
    case 'secret':
      return decodeScalar(t.string, value, path);
    case 'binary':
      return decodeBase64(value, path, 'base64 text');
    case 'optional':
      return value === undefined || value === null ? undefined : decodePlain(type.of, value, path, maps);
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return wrongType(path, 'a list');
      const items = value.map((item, index) => decodePlain(type.of, item, `${path}[${index}]`, maps));
      if (type.kind === 'set' && new Set(items.map((item) => JSON.stringify(item))).size !== items.length) {
        wrongType(path, 'a set without duplicates');
      }
      return items;
    }
    case 'map':
      return decodeMap(type, value, path, maps);
    case 'struct': {
      if (!isPlainObject(value)) return wrongType(path, 'a structure');
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(value)) {
        if (!Object.hasOwn(type.fields, name)) throw unexpectedInput(path ? `${path}.${name}` : name);
      }
      for (const [name, fieldType] of Object.entries(type.fields)) {
        const fieldPath = path ? `${path}.${name}` : name;
        const raw = value[name];
        if (raw === undefined && fieldType.kind !== 'optional') {
          throw invalidArgument(
            'com.vmware.vapi.endpoint.input.missing',
            `Missing required input ${fieldPath}.`,
            [fieldPath],
          );
        }
        const decoded = decodePlain(fieldType, raw, fieldPath, maps);
        if (decoded !== undefined) out[name] = decoded;
      }
      return out;
    }
    case 'void':
      return value === undefined || value === null ? undefined : wrongType(path, 'no value');
    case 'opaque':
      return value;
    case 'dynamic':
      return isPlainObject(value) ? value : wrongType(path, 'a structure');
    case 'error':
      return decodeError(value, path, maps);
  }
}

function decodeError(value: unknown, path: string, maps: MapStyle): VapiError {
  if (!isPlainObject(value) || typeof value.error_type !== 'string' || !Array.isArray(value.messages)) {
    return wrongType(path, 'a standard error');
  }
  const messages = decodePlain(t.list(localizableMessageType), value.messages, `${path}.messages`, maps);
  const type = ERROR_TABLE.find((row) => row.type === value.error_type)?.type ?? wrongType(path, 'a standard error');
  return new VapiError(type, messages as LocalizableMessage[], isPlainObject(value.data) ? { data: value.data } : {});
}

function decodeMap(type: Extract<VType, { kind: 'map' }>, value: unknown, path: string, maps: MapStyle) {
  const out: Record<string, unknown> = {};
  if (maps === 'object') {
    if (!isPlainObject(value)) return wrongType(path, 'a map');
    for (const [key, item] of Object.entries(value)) {
      decodePlain(type.key, key, `${path}.key`, maps);
      defineOwn(out, key, decodePlain(type.value, item, `${path}.${key}`, maps));
    }
    return out;
  }
  if (!Array.isArray(value)) return wrongType(path, 'a list of key/value entries');
  value.forEach((entry, index) => {
    if (!isPlainObject(entry)) wrongType(`${path}[${index}]`, 'a key/value entry');
    const key = decodePlain(type.key, entry.key, `${path}[${index}].key`, maps) as string;
    if (Object.hasOwn(out, key)) wrongType(path, 'a map without duplicate keys');
    defineOwn(out, key, decodePlain(type.value, entry.value, `${path}[${index}].value`, maps));
  });
  return out;
}

/** Native value of `type` → JSON value. */
export function encodePlain(type: VType, value: unknown, maps: MapStyle): unknown {
  switch (type.kind) {
    case 'datetime':
      return formatDateTime(value as Date | number);
    case 'binary':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'optional':
      return value === undefined ? undefined : encodePlain(type.of, value, maps);
    case 'list':
    case 'set':
      return (value as unknown[]).map((item) => encodePlain(type.of, item, maps));
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>).map(
        ([key, item]) => [key, encodePlain(type.value, item, maps)] as const,
      );
      return maps === 'object'
        ? Object.fromEntries(entries)
        : entries.map(([key, item]) => ({ key, value: item }));
    }
    case 'struct': {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, fieldType] of Object.entries(type.fields)) {
        const encoded = encodePlain(fieldType, source[name], maps);
        if (encoded !== undefined) out[name] = encoded;
      }
      return out;
    }
    case 'void':
      return undefined;
    case 'opaque':
      return value instanceof TypedValue ? encodePlain(value.type, value.value, maps) : value;
    case 'error':
      return plainErrorBody(value as VapiError, maps);
    default:
      return value;
  }
}
