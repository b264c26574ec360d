import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateStsKeys, stsKeys } from './sts-keys.js';

const DAY = 86_400_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vapi-auth-sts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the STS keys', () => {
  it('are created once, the key readable by its owner only', async () => {
    const first = await stsKeys(dir, 0, DAY);
    expect(statSync(join(dir, 'sts', 'key.pem')).mode & 0o077).toBe(0);
    expect(await stsKeys(dir, 0, DAY)).toEqual(first);
    expect(first.previousCertificates).toEqual([]);
  });

  it('rotate: a new key, the old certificate trusted for one token lifetime more', async () => {
    const before = await stsKeys(dir, 0, DAY);
    await rotateStsKeys(dir, 1000, DAY);
    const after = await stsKeys(dir, 1000, DAY);
    expect(after.key).not.toBe(before.key);
    expect(after.previousCertificates).toEqual([before.cert]);
    expect((await stsKeys(dir, 1000 + DAY - 1, DAY)).previousCertificates).toEqual([before.cert]);
    expect((await stsKeys(dir, 1000 + DAY, DAY)).previousCertificates).toEqual([]);
  }, 30_000);
});
