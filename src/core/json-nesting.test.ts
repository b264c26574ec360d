import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestingExceeds } from './json-nesting.js';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonNestingExceeds', () => {
  it('agrees with the nesting of the parsed value, whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(10), (value, max) => {
        expect(jsonNestingExceeds(JSON.stringify(value), max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores brackets and escaped quotes inside strings', () => {
    expect(jsonNestingExceeds('{"a":"[[[[\\"{{{{"}', 1)).toBe(false);
    expect(jsonNestingExceeds('[[[]]]', 2)).toBe(true);
    expect(jsonNestingExceeds('['.repeat(257) + ']'.repeat(257))).toBe(true);
    expect(jsonNestingExceeds('['.repeat(256) + ']'.repeat(256))).toBe(false);
  });
});
