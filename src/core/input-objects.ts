import type { DynamicId } from './operations.js';
import type { StructType, VType } from './types.js';

/** The id type a property path names in `input`, through optionals, lists and sets; undefined when it names no id. */
export function idTypeAt(input: StructType, path: string): Extract<VType, { kind: 'id' }> | undefined {
  let type: VType | undefined = input;
  for (const name of path.split('.')) {
    while (type && (type.kind === 'optional' || type.kind === 'list' || type.kind === 'set')) type = type.of;
    type = type?.kind === 'struct' && Object.hasOwn(type.fields, name) ? type.fields[name] : undefined;
  }
  while (type && (type.kind === 'optional' || type.kind === 'list' || type.kind === 'set')) type = type.of;
  return type?.kind === 'id' ? type : undefined;
}

/** The objects the property at `path` of a decoded input names (none when absent), typed by its id's resource type. */
export function inputObjects(input: StructType, value: Record<string, unknown>, path: string): DynamicId[] {
  const type = idTypeAt(input, path)?.resource ?? 'unknown';
  let values: unknown[] = [value];
  for (const name of path.split('.')) {
    values = values.flatMap((item) => (item !== null && typeof item === 'object' && Object.hasOwn(item, name) ? [(item as Record<string, unknown>)[name]] : []));
    values = values.flatMap((item) => (Array.isArray(item) ? item : item instanceof Set ? [...item] : [item]));
  }
  return values.filter((item): item is string => typeof item === 'string').map((id) => ({ type, id }));
}
