// The shipped JavaScript: src/cli.ts (the vapi-auth command) and src/index.ts (the library that
// plugins import) bundled together, so that they share one copy of every module (a plugin's
// VapiError is the server's) and a start reads a few files instead of some 600 modules (about a
// third of a worker's start-up, bench/README.md). tsc emits only the declarations beside them.
//
// Left out of the bundle, and loaded from node_modules: native addons, and what is loaded on first
// use only (the XML signer and parser, certificate generation, the Redis and LDAP clients, YAML,
// Fastify's schema compilers), which a plain start never reads (test/lazy-modules.test.ts).
import { writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';

const LOADED_ON_USE = ['selfsigned', 'xml-crypto', '@xmldom/xmldom', 'ioredis', 'ldapts', 'yaml', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'];
const NATIVE = ['better-sqlite3', 'argon2'];
/** Which source modules each chunk holds, for test/lazy-modules.test.ts; not shipped (package.json "files"). */
const CHUNK_MODULES = 'dist/chunk-modules.json';

/** Writes CHUNK_MODULES: chunk file → the modules (relative to the package) bundled in it. */
const recordChunkModules = {
  name: 'record-chunk-modules',
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
    const modules = Object.fromEntries(chunks.map((chunk) => [chunk.fileName, chunk.moduleIds.map((id) => relative(process.cwd(), id))]));
    writeFileSync(CHUNK_MODULES, `${JSON.stringify(modules, null, 1)}\n`);
  },
};

export default {
  input: { cli: 'src/cli.ts', index: 'src/index.ts' },
  platform: 'node',
  external: [/^node:/, ...builtinModules, ...NATIVE, ...LOADED_ON_USE],
  plugins: [recordChunkModules],
  output: { dir: 'dist', format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
};
