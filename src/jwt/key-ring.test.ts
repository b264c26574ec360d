import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyRing } from './key-ring.js';

const HOUR = 3_600_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vapi-auth-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the JWT key ring', () => {
  it('creates its file with one key, readable by its owner only', async () => {
    const file = join(dir, 'jwt', 'keys.json');
    const ring = await KeyRing.open(file, 0);
    expect(ring.jwks().keys).toHaveLength(1);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect((await KeyRing.open(file, 0)).jwks()).toEqual(ring.jwks());
  });

  it('makes a key file copied in readable by all readable by its owner only', async () => {
    const file = join(dir, 'copied.json');
    await KeyRing.open(file, 0);
    chmodSync(file, 0o644);
    await KeyRing.open(file, 0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('signs with the newest key after a rotation, and drops keys retired longer than a token lifetime ago', async () => {
    const ring = await KeyRing.open(join(dir, 'keys.json'), 0);
    const first = ring.jwks().keys[0]!.kid;
    const second = await ring.rotate(10 * HOUR, HOUR);
    expect((await ring.signingKey()).kid).toBe(second);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([first, second]);
    const third = await ring.rotate(10 * HOUR + HOUR - 1, HOUR);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([first, second, third]);
    const fourth = await ring.rotate(11 * HOUR + 1, HOUR);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([second, third, fourth]);
  });

  it('names its file when the file is broken or holds no key', async () => {
    const file = join(dir, 'keys.json');
    for (const [content, message] of [['{"keys":', 'is not a JWT key file'], ['{}', 'holds no JWT signing key'], ['null', 'holds no JWT signing key']]) {
      writeFileSync(file, content!);
      await expect(KeyRing.open(file, 0)).rejects.toThrow(`${file} ${message}`);
    }
  });

  it('lets a running server see a rotation made by another process', async () => {
    const file = join(dir, 'keys.json');
    const server = await KeyRing.open(file, 0);
    const cli = await KeyRing.open(file, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const kid = await cli.rotate(HOUR, HOUR);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await server.signingKey()).kid).toBe(kid);
  });
});
