/**
 * Client text used as a property name (map keys, query parameter names) is data, never a way to
 * reach an object's prototype: `__proto__`, `constructor` and `toString` are names like any other.
 */

/** Sets `key` as an own, enumerable property, even when it is `__proto__`. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value of `key` when it is an own property of `source`; inherited members do not count. */
export function ownValue<T>(source: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return source !== undefined && Object.hasOwn(source, key) ? source[key] : undefined;
}
