import { createHash } from 'node:crypto';

/** A component is the top namespace of its packages: its first three segments (`com.vmware.cis`). */
export function componentOf(packageId: string): string {
  return packageId.split('.').slice(0, 3).join('.');
}

/** JSON with object keys sorted at every level: the input of the fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A component's information and its fingerprint: the SHA-256 of its canonical JSON, which changes whenever the information does. */
export function componentData<P>(packages: Record<string, P>): { info: { packages: Record<string, P> }; fingerprint: string } {
  const info = { packages };
  return { info, fingerprint: createHash('sha256').update(canonicalJson(info)).digest('hex') };
}
