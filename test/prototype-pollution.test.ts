import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../src/core/operations.js';
import { SCHEMES } from '../src/core/schemes.js';
import { operationInput, t } from '../src/core/types.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { basic, http } from './helpers/http.js';
import { invokeBody, untag } from './helpers/session-dialects.js';
import { ADMIN, ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * `com.example.labels.echo`: a map input, answered with the keys the handler saw as its own and
 * whether the map still has the plain object prototype.
 */
const labelsService: ServiceDefinition = {
  id: 'com.example.labels',
  schemes: [SCHEMES.sessionId],
  operations: [
    {
      id: 'echo',
      input: operationInput({ labels: t.map(t.string, t.string) }),
      output: t.struct('com.example.labels.echo_result', { keys: t.list(t.string), prototype_intact: t.boolean }),
      errors: [],
      api: { method: 'POST', path: '/example/labels', action: 'echo' },
      handler: async ({ labels }: { labels: Record<string, string> }) => ({
        keys: Object.keys(labels),
        prototype_intact: Object.getPrototypeOf(labels) === Object.prototype,
      }),
    },
  ],
};

const OBJECT_MEMBERS = ['__proto__', 'constructor', 'prototype'];
/** Query parameter names that are members of every plain object. */
const QUERY_MEMBERS = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];

let s: TestServer;
let session: Record<string, string>;

beforeAll(async () => {
  s = await startTestServer(new MemoryStore(), { services: [labelsService] });
  const login = await http(`${s.url}/api/session`, { method: 'POST', headers: basic(ADMIN, ADMIN_PASSWORD) });
  session = { 'vmware-api-session-id': login.json as string };
});
afterAll(async () => s.close());

describe.each(OBJECT_MEMBERS)('prototype pollution: the map key %s is an ordinary key', (key) => {
  const expected = { keys: [key, 'other'], prototype_intact: true };

  it('in an /api body', async () => {
    // Written as text: a JavaScript object literal would turn `__proto__` into a prototype here too.
    const body = `{"labels":{"${key}":"x","other":"y"}}`;
    const response = await http(`${s.url}/api/example/labels?action=echo`, { method: 'POST', headers: { ...session, 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect(response.json).toEqual(expected);
  });

  it('in a /rest body', async () => {
    const body = `{"labels":[{"key":"${key}","value":"x"},{"key":"other","value":"y"}]}`;
    const response = await http(`${s.url}/rest/com/example/labels?~action=echo`, { method: 'POST', headers: { ...session, 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ value: expected });
  });

  it('in a /rest query', async () => {
    const query = `labels.1.key=${encodeURIComponent(key)}&labels.1.value=x&labels.2.key=other&labels.2.value=y`;
    const response = await http(`${s.url}/rest/com/example/labels?~action=echo&${query}`, { method: 'POST', headers: session });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ value: expected });
  });

  it('in a JSON-RPC invoke', async () => {
    const entry = (k: string, v: string) => ({ STRUCTURE: { 'map-entry': { key: k, value: v } } });
    const input = { STRUCTURE: { 'operation-input': { labels: [entry(key, 'x'), entry('other', 'y')] } } };
    const body = invokeBody('com.example.labels', 'echo', { sessionId: session['vmware-api-session-id']! }, input);
    const response = await http(`${s.url}/api`, { method: 'POST', body });
    const { result } = response.json as { result: { output: unknown } };
    expect(untag(result.output)).toEqual(expected);
  });
});

describe.each(QUERY_MEMBERS)('prototype pollution: a query parameter named %s is an unknown parameter, not a 500', (name) => {
  const cases = [
    ['/api list', `/api/cis/tasks?${name}=1`, 'UNEXPECTED_INPUT'],
    ['/api get', `/api/cis/tasks/a:b?${name}=1`, 'UNEXPECTED_INPUT'],
    ['/rest list', `/rest/cis/tasks?${name}=1`, 'UNEXPECTED_INPUT'],
    ['/rest get', `/rest/cis/tasks/a:b?${name}=1`, 'UNEXPECTED_INPUT'],
    ['/rest nested', `/rest/cis/tasks?filter_spec.${name}=1`, 'UNEXPECTED_INPUT'],
  ] as const;
  it.each(cases)('on %s', async (_where, path, errorType) => {
    const response = await http(`${s.url}${path}`, { headers: session });
    expect(response.status).toBe(400);
    const body = response.json as { error_type?: string; value?: { error_type: string } };
    expect(body.error_type ?? body.value?.error_type).toBe(errorType);
  });
});
