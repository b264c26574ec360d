import { invalidRequest, unexpectedInput } from '../../core/errors.js';
import { defineOwn, ownValue } from '../../core/own-property.js';
import type { StructType, VType } from '../../core/types.js';

/** A query parameter tree: `filter_spec.services.1=a` → { filter_spec: { services: { 1: ['a'] } } }. */
interface Node {
  values?: string[];
  children: Map<string, Node>;
}

function badQuery(name: string, why: string): never {
  throw invalidRequest('com.vmware.vapi.rest.badRequest.query', `Invalid query parameter ${name}: ${why}.`, [name]);
}

function unwrap(type: VType): VType {
  return type.kind === 'optional' ? unwrap(type.of) : type;
}

function insert(root: Node, name: string, values: string[]): void {
  let node = root;
  for (const segment of name.split('.')) {
    if (segment === '') badQuery(name, 'empty segment');
    let child = node.children.get(segment);
    if (!child) node.children.set(segment, (child = { children: new Map() }));
    node = child;
  }
  node.values = [...(node.values ?? []), ...values];
}

function scalar(type: VType, text: string, name: string): unknown {
  switch (type.kind) {
    case 'boolean':
      if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      return badQuery(name, 'expected true or false');
    case 'long':
      if (/^-?\d+$/.test(text)) return Number(text);
      return badQuery(name, 'expected an integer');
    case 'double':
      if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
      return badQuery(name, 'expected a number');
    default:
      return text;
  }
}

/** 1-based positions `1..n` with no gap, in order. */
function positions(node: Node, name: string): Node[] {
  const keys = [...node.children.keys()];
  if (!keys.every((key) => /^[1-9]\d*$/.test(key))) badQuery(name, 'list positions are 1, 2, 3, …');
  const sorted = keys.map(Number).sort((a, b) => a - b);
  sorted.forEach((position, i) => {
    if (position !== i + 1) badQuery(name, `position ${i + 1} is missing`);
  });
  return sorted.map((position) => node.children.get(String(position))!);
}

function valueOf(type: VType, node: Node, name: string): unknown {
  const inner = unwrap(type);
  if (node.values && node.children.size > 0) badQuery(name, 'both a value and fields');
  switch (inner.kind) {
    case 'list':
    case 'set':
      // Repeated keys are a list too: services=a&services=b.
      if (node.values) return node.values.map((text) => scalar(unwrap(inner.of), text, name));
      return positions(node, name).map((child, i) => valueOf(inner.of, child, `${name}.${i + 1}`));
    case 'map':
      return positions(node, name).map((entry, i) => {
        const at = `${name}.${i + 1}`;
        const key = entry.children.get('key');
        const value = entry.children.get('value');
        if (!key || !value || entry.children.size !== 2) badQuery(at, 'a map entry has key and value');
        return { key: valueOf(inner.key, key, `${at}.key`), value: valueOf(inner.value, value, `${at}.value`) };
      });
    case 'struct': {
      if (node.values) badQuery(name, 'a structure is given by its fields');
      const out: Record<string, unknown> = {};
      for (const [field, child] of node.children) {
        const fieldType = ownValue(inner.fields, field);
        if (!fieldType) throw unexpectedInput(`${name}.${field}`);
        defineOwn(out, field, valueOf(fieldType, child, `${name}.${field}`));
      }
      return out;
    }
    default:
      if (!node.values || node.children.size > 0) badQuery(name, 'expected one value');
      if (node.values.length !== 1) badQuery(name, 'given more than once');
      return scalar(inner, node.values[0]!, name);
  }
}

/**
 * Operation input from a legacy query string (SDK `URLValueDeserializer`): structure fields joined
 * with `.`, list elements 1-based, map entries as `key`/`value`, repeated keys as lists. The result
 * is plain JSON in the legacy map form, for the input decoder to check.
 */
export function dottedQueryInput(query: Record<string, string | string[] | undefined>, input: StructType, reserved: ReadonlySet<string>): Record<string, unknown> {
  const root: Node = { children: new Map() };
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined || reserved.has(name)) continue;
    insert(root, name, Array.isArray(raw) ? raw : [raw]);
  }
  const out: Record<string, unknown> = {};
  for (const [field, node] of root.children) {
    const type = ownValue(input.fields, field);
    if (!type) throw unexpectedInput(field);
    defineOwn(out, field, valueOf(type, node, field));
  }
  return out;
}
