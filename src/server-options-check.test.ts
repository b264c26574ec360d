import { describe, expect, it } from 'vitest';
import { ConfigError } from './config/config-error.js';
import { createServer } from './server.js';
import { MemoryStore } from './store/memory-store.js';

describe('createServer options', () => {
  const make = (options: Record<string, unknown>) => () => createServer({ store: new MemoryStore(), logLevel: 'silent', ...options });

  it('refuses an unknown option, top-level or nested, naming it and what was probably meant', () => {
    expect(make({ sesions: {} })).toThrow(new ConfigError('createServer: unknown option sesions (did you mean sessions?)'));
    expect(make({ sessions: { idleTimeout: 5 } })).toThrow(new ConfigError('createServer: unknown option sessions.idleTimeout (did you mean idleTimeoutMs?)'));
    expect(make({ jwt: { keys: {}, limits: { colour: 1 } } })).toThrow('createServer: unknown option jwt.limits.colour');
    expect(make({ sessions: { toString: 1 } })).toThrow('createServer: unknown option sessions.toString');
  });

  it('refuses a bad value as the CLI option of the same meaning would, naming it and what it takes', () => {
    expect(make({ sessions: { idleTimeoutMs: 0 } })).toThrow('createServer: invalid sessions.idleTimeoutMs: 0 (expected a number of milliseconds > 0, as --idle-timeout)');
    expect(make({ sessions: { maxSessions: -1 } })).toThrow('createServer: invalid sessions.maxSessions: -1 (expected N, as --max-sessions)');
    expect(make({ bodyLimit: '1mb' })).toThrow('createServer: invalid bodyLimit: "1mb" (expected BYTES, as --body-limit)');
    expect(make({ logLevel: 'loud' })).toThrow(/invalid logLevel: "loud" \(expected fatal\|error/);
    expect(make({ publicUrl: 'https://example.com/api' })).toThrow(/invalid publicUrl/);
    expect(make({ saml: { trustedCertificates: 'pem' } })).toThrow('createServer: invalid saml.trustedCertificates: "pem" (expected an array of strings)');
    expect(make({ saml: { trustedCertificates: [], allowBearer: 'no' } })).toThrow(/invalid saml.allowBearer: "no" \(expected true or false, as --saml-bearer\)/);
    expect(make({ connections: 5 })).toThrow('createServer: connections must be an object');
    expect(() => createServer({} as never)).toThrow('createServer: options.store is required');
  });

  it('takes every option the CLI passes, and undefined for an absent one', async () => {
    const server = createServer({
      store: new MemoryStore(),
      logLevel: 'silent',
      sessions: { idleTimeoutMs: 60_000, maxSessions: 0 },
      saml: { trustedCertificates: [], allowBearer: false, clockToleranceMs: 1000 },
      publicUrl: 'https://vapi.example.com:8443',
      realm: 'r',
      connections: { maxConnections: 0 },
      lockout: { maxFailures: 3 },
      https: undefined,
    });
    await server.close();
  });
});
