import type { SigningKeyCodec } from '../../src/keys/signing-key-file.js';

/** A signing key that is a random id: what the key file and its publication do does not depend on the kind of key. */
export const testKeyCodec: SigningKeyCodec<{ id: string }> = {
  what: 'test key',
  generate: async () => ({ id: Math.random().toString(36).slice(2) }),
  id: (key) => key.id,
  format: (key) => JSON.stringify(key),
  parse: (text) => {
    const parsed = JSON.parse(text) as { id?: string };
    return parsed.id === undefined ? undefined : { id: parsed.id };
  },
};
