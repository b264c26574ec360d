/**
 * A double as the vAPI runtime writes it: the canonical XML-Schema form (`1.5E0`, `0.0E0`,
 * `-1.0E-3`), a JSON number that `JSON.stringify` cannot produce, hence this writer.
 */
export class XsdDouble {
  constructor(readonly value: number) {}

  toString(): string {
    if (!Number.isFinite(this.value)) throw new TypeError(`${this.value} has no JSON form`);
    if (this.value === 0) return Object.is(this.value, -0) ? '-0.0E0' : '0.0E0';
    // toExponential() gives the shortest digits that read back as the same double.
    const [mantissa, exponent] = this.value.toExponential().split('e') as [string, string];
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
}

/** Compact JSON text, as `JSON.stringify` writes it, with XsdDouble values in their canonical form. */
export function toJsonText(value: unknown): string {
  if (value instanceof XsdDouble) return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toJsonText(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${members.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
