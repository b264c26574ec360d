/**
 * An assertion value escaped as RFC 4515 §3 requires: `*`, `(`, `)`, `\` and NUL become `\2a`,
 * `\28`, `\29`, `\5c` and `\00`, so a user name can only ever be compared, never widen a filter.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\u0000]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `(attribute=value)` with the value escaped; the attribute comes from configuration, never from a client. */
export function equals(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}

export function and(...filters: string[]): string {
  return `(&${filters.join('')})`;
}

export function or(...filters: string[]): string {
  return filters.length === 1 ? filters[0]! : `(|${filters.join('')})`;
}
