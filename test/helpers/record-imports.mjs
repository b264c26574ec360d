// Preloaded with `node --import` (through NODE_OPTIONS, so cluster workers load it too): appends
// the URL of every module the process imports to the file VAPI_AUTH_TEST_IMPORTS names, one a line.
// test/lazy-modules.test.ts reads it to see what a start loads.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.VAPI_AUTH_TEST_IMPORTS } });
