/**
 * The vAPI type model. Every operation declares its input and output with these values; each
 * dialect validates and encodes by walking them, so no operation has dialect-specific code.
 *
 * Native values handed to and returned by handlers: strings, numbers, booleans, `Date` for
 * date-times, `Uint8Array` for binary, arrays for lists and sets, plain objects for maps (keys are
 * strings) and structures, `undefined` for an unset optional.
 */
export type VType =
  | { readonly kind: 'string' }
  | { readonly kind: 'secret' }
  | { readonly kind: 'long' }
  | { readonly kind: 'double' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'datetime' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'id'; readonly resource?: string }
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: 'optional'; readonly of: VType }
  | { readonly kind: 'list'; readonly of: VType }
  | { readonly kind: 'set'; readonly of: VType }
  | { readonly kind: 'map'; readonly key: VType; readonly value: VType }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, VType>> }
  | { readonly kind: 'void' }
  /** Any value, handed through undecoded (e.g. a task result). */
  | { readonly kind: 'opaque' }
  /** Any structure (e.g. error `data`). */
  | { readonly kind: 'dynamic' }
  /** Any standard error (e.g. a failed task's `error`); the native value is a VapiError. */
  | { readonly kind: 'error' };

export type StructType = Extract<VType, { kind: 'struct' }>;

/**
 * A value that carries its own type, for an `opaque` field whose type is only known at run time
 * (a task's result has the output type of the task's operation). Encoders write `value` as `type`.
 */
export class TypedValue {
  constructor(
    readonly type: VType,
    readonly value: unknown,
  ) {}
}

/** Constructors, so that declarations read like the vAPI IDL. */
export const t = {
  string: { kind: 'string' } as const,
  secret: { kind: 'secret' } as const,
  long: { kind: 'long' } as const,
  double: { kind: 'double' } as const,
  boolean: { kind: 'boolean' } as const,
  datetime: { kind: 'datetime' } as const,
  binary: { kind: 'binary' } as const,
  void: { kind: 'void' } as const,
  opaque: { kind: 'opaque' } as const,
  dynamic: { kind: 'dynamic' } as const,
  error: { kind: 'error' } as const,
  id: (resource?: string): VType => (resource === undefined ? { kind: 'id' } : { kind: 'id', resource }),
  enumeration: (name: string, values: readonly string[]): VType => ({ kind: 'enum', name, values }),
  optional: (of: VType): VType => ({ kind: 'optional', of }),
  list: (of: VType): VType => ({ kind: 'list', of }),
  set: (of: VType): VType => ({ kind: 'set', of }),
  map: (key: VType, value: VType): VType => ({ kind: 'map', key, value }),
  struct: (name: string, fields: Record<string, VType>): StructType => ({ kind: 'struct', name, fields }),
};

/** The structure every operation's parameters form (`operation-input` in JSON-RPC). */
export function operationInput(fields: Record<string, VType> = {}): StructType {
  return t.struct('operation-input', fields);
}

const DATE_TIME_FORMATS = [
  'SHORT_DATE',
  'MED_DATE',
  'LONG_DATE',
  'FULL_DATE',
  'SHORT_TIME',
  'MED_TIME',
  'LONG_TIME',
  'FULL_TIME',
  'SHORT_DATE_TIME',
  'MED_DATE_TIME',
  'LONG_DATE_TIME',
  'FULL_DATE_TIME',
] as const;

// A nested message's params refer back to localization_param: the field is added once that type exists.
const nestedMessageFields: Record<string, VType> = { id: t.string };

/** `com.vmware.vapi.std.localization_param`: exactly one of s, dt, i, d, l is set. */
export const localizationParamType = t.struct('com.vmware.vapi.std.localization_param', {
  s: t.optional(t.string),
  dt: t.optional(t.datetime),
  i: t.optional(t.long),
  d: t.optional(t.double),
  l: t.optional(t.struct('com.vmware.vapi.std.nested_localizable_message', nestedMessageFields)),
  format: t.optional(t.enumeration('com.vmware.vapi.std.localization_param.date_time_format', DATE_TIME_FORMATS)),
  precision: t.optional(t.long),
});
nestedMessageFields.params = t.optional(t.map(t.string, localizationParamType));

export const localizableMessageType = t.struct('com.vmware.vapi.std.localizable_message', {
  id: t.string,
  default_message: t.string,
  args: t.list(t.string),
  params: t.optional(t.map(t.string, localizationParamType)),
  localized: t.optional(t.string),
});

export const dynamicIdType = t.struct('com.vmware.vapi.std.dynamic_ID', { type: t.string, id: t.id() });
