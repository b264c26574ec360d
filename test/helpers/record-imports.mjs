// Preloaded with `node --import` (through NODE_OPTIONS, so cluster workers load it too): appends
// the URL of every module the process loads to the file VAPI_AUTH_TEST_IMPORTS names, one a line.
// test/lazy-modules.test.ts reads it to see what a start loads.
import { appendFileSync } from 'node:fs';
import Module, { isBuiltin, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.VAPI_AUTH_TEST_IMPORTS;
register('./record-imports-hooks.mjs', import.meta.url, { data: { file } });

// require() does not pass the module hooks in Node 20: record it where CommonJS resolves a name.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  appendFileSync(file, `${isBuiltin(resolved) ? resolved : pathToFileURL(resolved).href}\n`);
  return resolved;
};
