/** RFC 3339 in UTC with exactly three fractional digits, as every vAPI dialect emits. */
export function formatDateTime(value: number | Date): string {
  return (typeof value === 'number' ? new Date(value) : value).toISOString();
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses any RFC 3339 date-time (any offset); undefined when the text is not one. */
export function parseDateTime(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
