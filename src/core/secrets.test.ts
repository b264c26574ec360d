import { describe, expect, it } from 'vitest';
import { randomHexToken, sha256Hex } from './secrets.js';

describe('secrets', () => {
  it('sha256Hex is SHA-256 of the UTF-8 text, in lowercase hex (what the stores keep of a token)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // U+00E9 is two bytes in UTF-8; a Latin-1 reading would hash one.
    expect(sha256Hex('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('randomHexToken gives 128 bits as 32 lowercase hex characters, new each time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => randomHexToken()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{32}$/);
  });
});
