import { BoundedMap } from './bounded-map.js';

/** The last times formatted: a session's creation time, and "now" within the same millisecond. */
const recentlyFormatted = new BoundedMap<number, string>(256);

/**
 * RFC 3339 in UTC with exactly three fractional digits, as every vAPI dialect emits. The same few
 * instants come back on request after request (about 1 us to format each), so recent ones are kept.
 */
export function formatDateTime(value: number | Date): string {
  const ms = typeof value === 'number' ? value : value.getTime();
  let text = recentlyFormatted.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    recentlyFormatted.set(ms, text);
  }
  return text;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses any RFC 3339 date-time (any offset); undefined when the text is not one. */
export function parseDateTime(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
