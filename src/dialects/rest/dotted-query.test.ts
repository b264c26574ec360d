import { describe, expect, it } from 'vitest';
import { VapiError } from '../../core/errors.js';
import { operationInput, t } from '../../core/types.js';
import { dottedQueryInput } from './dotted-query.js';

const input = operationInput({
  filter_spec: t.optional(
    t.struct('f', {
      services: t.optional(t.set(t.string)),
      targets: t.optional(t.list(t.struct('d', { type: t.string, id: t.id() }))),
      labels: t.optional(t.map(t.string, t.long)),
    }),
  ),
  result_spec: t.optional(t.struct('r', { exclude_result: t.optional(t.boolean) })),
});
const reserved = new Set(['~action']);

function errorOf(query: Record<string, string | string[]>): VapiError {
  try {
    dottedQueryInput(query, input, reserved);
  } catch (error) {
    if (error instanceof VapiError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('legacy dotted query input', () => {
  it('reads structures, 1-based lists, maps and booleans', () => {
    expect(
      dottedQueryInput(
        {
          'filter_spec.services.1': 'a',
          'filter_spec.services.2': 'b',
          'filter_spec.targets.1.type': 'VirtualMachine',
          'filter_spec.targets.1.id': 'vm-42',
          'filter_spec.labels.1.key': 'k',
          'filter_spec.labels.1.value': '3',
          'result_spec.exclude_result': 'true',
          '~action': 'list',
        },
        input,
        reserved,
      ),
    ).toEqual({
      filter_spec: { services: ['a', 'b'], targets: [{ type: 'VirtualMachine', id: 'vm-42' }], labels: [{ key: 'k', value: 3 }] },
      result_spec: { exclude_result: true },
    });
  });

  it('reads repeated keys as a list', () => {
    expect(dottedQueryInput({ 'filter_spec.services': ['a', 'b'] }, input, reserved)).toEqual({ filter_spec: { services: ['a', 'b'] } });
  });

  it('answers INVALID_REQUEST for a gap in positions, a bad boolean, a bad map entry', () => {
    expect(errorOf({ 'filter_spec.services.1': 'a', 'filter_spec.services.3': 'c' }).errorType).toBe('INVALID_REQUEST');
    expect(errorOf({ 'filter_spec.services.0': 'a' }).errorType).toBe('INVALID_REQUEST');
    expect(errorOf({ 'result_spec.exclude_result': 'maybe' }).errorType).toBe('INVALID_REQUEST');
    expect(errorOf({ 'filter_spec.labels.1.key': 'k' }).errorType).toBe('INVALID_REQUEST');
    expect(errorOf({ 'result_spec.exclude_result': ['true', 'false'] }).errorType).toBe('INVALID_REQUEST');
  });

  it('answers UNEXPECTED_INPUT for a parameter the operation does not have', () => {
    expect(errorOf({ colour: 'red' }).errorType).toBe('UNEXPECTED_INPUT');
    expect(errorOf({ 'filter_spec.colour': 'red' }).messages[0]!.args).toEqual(['filter_spec.colour']);
  });
});
