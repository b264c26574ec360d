import { describe, expect, it } from 'vitest';
import { formatDateTime, parseDateTime } from './datetime.js';

describe('formatDateTime', () => {
  it('formats an instant given as a number or a Date in UTC with three fractional digits', () => {
    expect(formatDateTime(Date.UTC(2025, 0, 2, 3, 4, 5, 6))).toBe('2025-01-02T03:04:05.006Z');
    expect(formatDateTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)))).toBe('2025-01-02T03:04:05.006Z');
  });

  it('formats every instant right however many it has seen (the recent ones are kept)', () => {
    const start = Date.UTC(2030, 5, 1);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1000; i += 7) expect(formatDateTime(start + i * 1001)).toBe(new Date(start + i * 1001).toISOString());
    }
  });

  it('refuses an invalid date as Date does', () => {
    expect(() => formatDateTime(Number.NaN)).toThrow(RangeError);
    expect(() => formatDateTime(new Date('nonsense'))).toThrow(RangeError);
  });

  it('reads back what it writes', () => {
    expect(parseDateTime(formatDateTime(1_700_000_000_123))?.getTime()).toBe(1_700_000_000_123);
  });
});
