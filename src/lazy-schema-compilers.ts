import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Factory = (...args: unknown[]) => unknown;

const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/** A compiler factory that loads the package `name` (whose export makes the factory) on its first call. */
function loadedOnUse(name: string): Factory {
  let factory: Factory | undefined;
  return (...args) => (factory ??= (requireFromFastify(name) as () => Factory)())(...args);
}

/**
 * Fastify's own schema compilers (ajv and fast-json-stringify), loaded when a route first compiles a
 * JSON schema. Fastify loads them when an instance is built; no route here has a schema (vAPI input
 * is decoded against the operation table), so a start saves loading them.
 */
export function lazySchemaCompilers(): CompilersFactory {
  return {
    buildValidator: loadedOnUse('@fastify/ajv-compiler') as CompilersFactory['buildValidator'],
    buildSerializer: loadedOnUse('@fastify/fast-json-stringify-compiler') as CompilersFactory['buildSerializer'],
  };
}
