import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../test/helpers/error-of.js';
import { ERROR_TABLE, VapiError } from '../../core/errors.js';
import { MemoryStore } from '../../store/memory-store.js';
import { createServer } from '../../server.js';
import type { LocalizableMessage } from '../../core/messages.js';
import { localizableMessageType, t, type VType } from '../../core/types.js';
import { decodeDataValue, encodeDataValue } from './data-value.js';
import { toJsonText } from './json-text.js';

const MAX_DEPTH = 3;

/** JSON without negative zero, which plain JSON integers cannot carry. */
const plainJson = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Native values of `type`, as handlers return them and decoding yields them. */
function valueOf(type: VType, depth = 0): fc.Arbitrary<unknown> {
  const deep = depth >= MAX_DEPTH;
  switch (type.kind) {
    case 'string':
    case 'secret':
    case 'id':
      return fc.string();
    case 'long':
      return fc.maxSafeInteger();
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'datetime':
      return fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    case 'binary':
      return fc.uint8Array().map((bytes) => Buffer.from(bytes));
    case 'enum':
      return fc.constantFrom(...type.values);
    case 'optional':
      // A set optional cannot hold null: `{"OPTIONAL":null}` is the unset optional.
      return deep
        ? fc.constant(undefined)
        : fc.option(valueOf(type.of, depth + 1).filter((value) => value !== null), { nil: undefined });
    case 'list':
      return deep ? fc.constant([]) : fc.array(valueOf(type.of, depth + 1), { maxLength: 3 });
    case 'set':
      return deep ? fc.constant([]) : fc.uniqueArray(valueOf(type.of, depth + 1), { maxLength: 3, selector: (item) => JSON.stringify(item) });
    case 'map':
      return deep ? fc.constant({}) : fc.dictionary(fc.string(), valueOf(type.value, depth + 1), { maxKeys: 3 });
    case 'struct':
      return fc.record(Object.fromEntries(Object.entries(type.fields).map(([name, field]) => [name, valueOf(field, depth + 1)])));
    case 'void':
      return fc.constant(undefined);
    case 'opaque':
      return plainJson;
    case 'dynamic':
      return fc.dictionary(fc.string(), plainJson, { maxKeys: 3 });
    case 'error':
      return errorValue(depth);
  }
}

function errorValue(depth: number): fc.Arbitrary<VapiError> {
  return fc
    .record({
      type: fc.constantFrom(...ERROR_TABLE.map((row) => row.type)),
      messages: fc.array(valueOf(localizableMessageType, depth + 1), { minLength: 1, maxLength: 2 }),
      data: fc.option(fc.dictionary(fc.string(), plainJson, { maxKeys: 2 }), { nil: undefined }),
      challenge: fc.option(fc.string(), { nil: undefined }),
    })
    .map(
      ({ type, messages, data, challenge }) =>
        new VapiError(type, messages as LocalizableMessage[], {
          ...(data !== undefined ? { data } : {}),
          ...(challenge !== undefined && type === 'UNAUTHENTICATED' ? { challenge } : {}),
        }),
    );
}

/** Generated types: every kind, nested, with no optional directly inside an optional (one unset is all there is). */
const vtype: fc.Arbitrary<VType> = fc.letrec<{ type: VType; required: VType }>((tie) => ({
  type: fc.oneof(tie('required'), tie('required').map((of) => t.optional(of))),
  required: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<VType>(t.string, t.secret, t.long, t.double, t.boolean, t.datetime, t.binary, t.id(), t.void, t.opaque, t.dynamic, t.error),
    fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Z_]{0,6}$/), { minLength: 1, maxLength: 4 }).map((values) => t.enumeration('com.example.mode', values)),
    tie('type').map((of) => t.list(of)),
    tie('type').map((of) => t.set(of)),
    tie('type').map((value) => t.map(t.string, value)),
    fc
      .dictionary(fc.stringMatching(/^[a-z][a-z_]{0,7}$/), tie('type'), { maxKeys: 4 })
      .map((fields) => t.struct('com.example.generated', fields)),
  ),
})).type;

/** What a client can observe of a value: errors by their fields, not their identity. */
function observable(value: unknown): unknown {
  if (value instanceof VapiError) {
    return { errorType: value.errorType, messages: observable(value.messages), data: value.data, challenge: value.challenge };
  }
  if (Array.isArray(value)) return value.map(observable);
  if (value instanceof Date || value instanceof Uint8Array || typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, observable(item)]));
}

/** Encode, write as JSON text, read it back, decode. */
function roundTrip(type: VType, value: unknown): unknown {
  return decodeDataValue(type, JSON.parse(toJsonText(encodeDataValue(type, value))), 'value');
}

function expectIdentity(type: VType, runs?: number): void {
  fc.assert(
    fc.property(valueOf(type), (value) => {
      expect(observable(roundTrip(type, value))).toEqual(observable(value));
    }),
    runs === undefined ? {} : { numRuns: runs },
  );
}

describe('DataValue encoding, property-based', () => {
  const server = createServer({ store: new MemoryStore(), logLevel: 'silent' });
  const types = server.table.operations().flatMap(({ service, operation }) => [
    [`${service.id}.${operation.id} input`, operation.input] as const,
    [`${service.id}.${operation.id} output`, operation.output] as const,
  ]);
  void server.close();

  it.each(types)('decode(encode(x)) = x for %s', (_name, type) => expectIdentity(type));

  it('decode(encode(x)) = x for every standard error', () => expectIdentity(t.error));

  it('decode(encode(x)) = x for generated types', () => {
    fc.assert(
      fc.property(vtype.chain((type) => fc.tuple(fc.constant(type), valueOf(type))), ([type, value]) => {
        expect(observable(roundTrip(type, value))).toEqual(observable(value));
      }),
      { numRuns: 300 },
    );
  });
});

describe('DataValue encoding, by example', () => {
  const spec = t.struct('com.example.spec', {
    name: t.string,
    count: t.optional(t.long),
    ratio: t.double,
    labels: t.map(t.string, t.long),
  });

  it('writes every optional field, unset ones as OPTIONAL null, maps as map-entry lists', () => {
    const text = toJsonText(encodeDataValue(spec, { name: 'a', ratio: 0.5, labels: { k: 1 } }));
    expect(text).toBe(
      '{"STRUCTURE":{"com.example.spec":{"name":"a","count":{"OPTIONAL":null},"ratio":5.0E-1,' +
        '"labels":[{"STRUCTURE":{"map-entry":{"key":"k","value":1}}}]}}}',
    );
  });

  it('writes a secret, binary data and a date-time with milliseconds and Z', () => {
    expect(encodeDataValue(t.secret, 's3')).toEqual({ SECRET: 's3' });
    expect(encodeDataValue(t.binary, Buffer.from('hi'))).toEqual({ BINARY: 'aGk=' });
    expect(encodeDataValue(t.datetime, new Date(Date.UTC(2026, 10, 22, 6, 58, 28, 261)))).toBe('2026-11-22T06:58:28.261Z');
  });

  it('refuses a bare value in an optional field, as the SDK does', () => {
    const wrapped = { STRUCTURE: { 'com.example.spec': { name: 'a', count: 3, ratio: 1, labels: [] } } };
    const error = errorOf(() => decodeDataValue(spec, wrapped, ''));
    expect(error.errorType).toBe('INVALID_ARGUMENT');
    expect(error.messages[0]!.args).toEqual(['count', 'an OPTIONAL value']);
  });

  it('refuses an unknown field with UNEXPECTED_INPUT and a missing one with INVALID_ARGUMENT', () => {
    const extra = { STRUCTURE: { 'com.example.spec': { name: 'a', ratio: 1, labels: [], color: 'red' } } };
    expect(errorOf(() => decodeDataValue(spec, extra, '')).errorType).toBe('UNEXPECTED_INPUT');
    const missing = { STRUCTURE: { 'com.example.spec': { ratio: 1, labels: [] } } };
    expect(errorOf(() => decodeDataValue(spec, missing, '')).errorType).toBe('INVALID_ARGUMENT');
  });

  it('refuses a structure under another name, an untagged object and a duplicate map key', () => {
    const fields = { name: 'a', ratio: 1, labels: [] };
    expect(errorOf(() => decodeDataValue(spec, { STRUCTURE: { 'com.example.other': fields } }, '')).errorType).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => decodeDataValue(spec, fields, '')).errorType).toBe('INVALID_ARGUMENT');
    const entry = { STRUCTURE: { 'map-entry': { key: 'k', value: 1 } } };
    expect(errorOf(() => decodeDataValue(t.map(t.string, t.long), [entry, entry], 'labels')).errorType).toBe('INVALID_ARGUMENT');
  });

  it('keeps a map key named __proto__ as a key (prototype pollution)', () => {
    const entry = { STRUCTURE: { 'map-entry': { key: '__proto__', value: { STRUCTURE: { 'com.example.spec': {} } } } } };
    const decoded = decodeDataValue(t.map(t.string, t.dynamic), [entry], 'm') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });
});
