import { invalidArgument, unexpectedInput } from '../../core/errors.js';
import type { ApiBinding } from '../../core/operations.js';
import { defineOwn, ownValue } from '../../core/own-property.js';
import type { StructType, VType } from '../../core/types.js';

export type Query = Record<string, string | string[] | undefined>;

/** Query parameters the dialect itself reads; they are never operation input. */
export const RESERVED_QUERY = new Set(['action', 'vmw-task']);

function unwrap(type: VType): VType {
  return type.kind === 'optional' ? unwrap(type.of) : type;
}

/** The type at a dotted input path, e.g. `spec.return_all` in the operation's input. */
function typeAt(input: StructType, path: string): VType | undefined {
  let current: VType = input;
  for (const segment of path.split('.')) {
    const struct = unwrap(current);
    if (struct.kind !== 'struct' || !Object.hasOwn(struct.fields, segment)) return undefined;
    current = struct.fields[segment]!;
  }
  return unwrap(current);
}

/** Query text as the JSON value the input decoder expects for `type`. */
function fromText(type: VType, values: readonly string[], name: string): unknown {
  if (type.kind === 'list' || type.kind === 'set') return values.map((value) => fromText(unwrap(type.of), [value], name));
  if (values.length !== 1) throw invalidArgument('com.vmware.vapi.rest.badRequest.repeated', `Query parameter ${name} is repeated.`, [name]);
  const value = values[0]!;
  switch (type.kind) {
    case 'boolean':
      if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      break;
    case 'long':
      if (/^-?\d+$/.test(value)) return Number(value);
      break;
    case 'double':
      if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      break;
    default:
      return value;
  }
  throw invalidArgument('com.vmware.vapi.endpoint.input.invalid_type', `Invalid value for ${name}.`, [name]);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    if (!Object.hasOwn(node, segment)) defineOwn(node, segment, {});
    node = node[segment] as Record<string, unknown>;
  }
  defineOwn(node, segments[segments.length - 1]!, value);
}

/** Input fields carried in the query, placed at the paths the binding names. Unknown parameters are UNEXPECTED_INPUT. */
export function queryInput(binding: ApiBinding, query: Query, input: StructType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (RESERVED_QUERY.has(name) || raw === undefined) continue;
    const path = ownValue(binding.query, name);
    const type = path === undefined ? undefined : typeAt(input, path);
    if (path === undefined || type === undefined) throw unexpectedInput(name);
    setPath(out, path, fromText(type, Array.isArray(raw) ? raw : [raw], name));
  }
  return out;
}
