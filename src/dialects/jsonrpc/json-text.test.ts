import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJsonText, XsdDouble } from './json-text.js';

describe('canonical doubles', () => {
  it('writes the forms the vAPI runtime sends', () => {
    const cases: [number, string][] = [
      [1.5, '1.5E0'],
      [0, '0.0E0'],
      [1234.5, '1.2345E3'],
      [-2, '-2.0E0'],
      [2.5, '2.5E0'],
      [0.001, '1.0E-3'],
      [1e21, '1.0E21'],
    ];
    for (const [value, text] of cases) expect(new XsdDouble(value).toString()).toBe(text);
  });

  it('reads back as the same double for every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(Object.is(JSON.parse(new XsdDouble(value).toString()), value)).toBe(true);
      }),
    );
  });

  it('refuses NaN and infinities, which JSON cannot carry', () => {
    expect(() => new XsdDouble(Number.NaN).toString()).toThrow(TypeError);
    expect(() => new XsdDouble(Number.POSITIVE_INFINITY).toString()).toThrow(TypeError);
  });
});

describe('JSON text', () => {
  it('equals JSON.stringify for values without doubles', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(toJsonText(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('writes doubles nested in objects and arrays canonically', () => {
    expect(toJsonText({ a: [new XsdDouble(1), 'x'], b: undefined, c: null })).toBe('{"a":[1.0E0,"x"],"c":null}');
  });
});
