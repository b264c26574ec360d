import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/error-of.js';
import { decodePlain, encodePlain } from './plain-json.js';
import { t } from './types.js';

const spec = t.struct('com.example.spec', {
  name: t.string,
  count: t.optional(t.long),
  when: t.optional(t.datetime),
  tags: t.optional(t.set(t.string)),
  labels: t.optional(t.map(t.string, t.long)),
  mode: t.optional(t.enumeration('com.example.mode', ['FAST', 'SAFE'])),
});

describe('plain JSON decoding', () => {
  it('decodes a structure with optional fields, a set, a map and an enum', () => {
    const value = decodePlain(
      spec,
      { name: 'a', count: 3, when: '2025-01-01T10:00:00+02:00', tags: ['x', 'y'], labels: { k: 1 }, mode: 'FAST' },
      '',
      'object',
    );
    expect(value).toEqual({
      name: 'a',
      count: 3,
      when: new Date('2025-01-01T08:00:00.000Z'),
      tags: ['x', 'y'],
      labels: { k: 1 },
      mode: 'FAST',
    });
  });

  it('reads maps as key/value lists in the entries style', () => {
    expect(decodePlain(t.map(t.string, t.long), [{ key: 'a', value: 1 }], 'm', 'entries')).toEqual({ a: 1 });
    expect(errorOf(() => decodePlain(t.map(t.string, t.long), [{ key: 'a', value: 1 }, { key: 'a', value: 2 }], 'm', 'entries')).errorType).toBe('INVALID_ARGUMENT');
  });

  it('answers UNEXPECTED_INPUT naming an unknown field', () => {
    const error = errorOf(() => decodePlain(spec, { name: 'a', colour: 'red' }, '', 'object'));
    expect(error.errorType).toBe('UNEXPECTED_INPUT');
    expect(error.messages[0]!.args).toEqual(['colour']);
  });

  it('answers INVALID_ARGUMENT for a missing field, a wrong type, a bad enum, a bad date and a duplicate in a set', () => {
    const cases: unknown[] = [
      {},
      { name: 5 },
      { name: 'a', count: 1.5 },
      { name: 'a', mode: 'SLOW' },
      { name: 'a', when: '2025-01-01 10:00' },
      { name: 'a', tags: ['x', 'x'] },
      { name: 'a', labels: [] },
    ];
    for (const input of cases) expect(errorOf(() => decodePlain(spec, input, '', 'object')).errorType).toBe('INVALID_ARGUMENT');
  });

  it('treats null as unset for an optional field', () => {
    expect(decodePlain(spec, { name: 'a', count: null }, '', 'object')).toEqual({ name: 'a' });
  });
});

describe('plain JSON encoding', () => {
  it('writes date-times in UTC with milliseconds and omits unset optional fields', () => {
    expect(encodePlain(spec, { name: 'a', when: new Date(Date.UTC(2025, 6, 16, 7, 18, 48, 517)) }, 'object')).toEqual({
      name: 'a',
      when: '2025-07-16T07:18:48.517Z',
    });
  });

  it('writes maps as objects for /api and as key/value lists for /rest', () => {
    const value = { name: 'a', labels: { k: 1 } };
    expect(encodePlain(spec, value, 'object')).toEqual({ name: 'a', labels: { k: 1 } });
    expect(encodePlain(spec, value, 'entries')).toEqual({ name: 'a', labels: [{ key: 'k', value: 1 }] });
  });

  it('round-trips what it decodes', () => {
    const json = { name: 'a', count: 2, when: '2025-07-16T07:18:48.517Z', tags: ['x'], labels: { k: 3 }, mode: 'SAFE' };
    expect(encodePlain(spec, decodePlain(spec, json, '', 'object'), 'object')).toEqual(json);
  });
});
