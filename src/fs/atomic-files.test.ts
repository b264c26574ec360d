import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../test/helpers/temp-dir.js';
import { createDirectoryOnce, createFileOnce, replaceFile } from './atomic-files.js';

const temp = tempDirPerTest('vapi-auth-files-');
const dir = () => temp.path;

describe('files created once', () => {
  it('a file: of many writers at once exactly one creates it, whole, and nothing is left aside', async () => {
    const file = join(dir(), 'keys', 'key.json');
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createFileOnce(file, `writer ${i}\n`.repeat(1000), 0o600)));
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(`writer ${created.indexOf(true)}\n`.repeat(1000));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir(), 'keys'))).toEqual(['key.json']);
  });

  it('a directory: of many writers at once exactly one creates it, and its files all come from that one', async () => {
    const target = join(dir(), 'tls');
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createDirectoryOnce(target, { 'key.pem': { content: `key ${i}`, mode: 0o600 }, 'cert.pem': { content: `cert ${i}`, mode: 0o644 } })),
    );
    const winner = created.indexOf(true);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect([readFileSync(join(target, 'key.pem'), 'utf8'), readFileSync(join(target, 'cert.pem'), 'utf8')]).toEqual([`key ${winner}`, `cert ${winner}`]);
    expect(statSync(join(target, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir())).toEqual(['tls']);
  });

  it('a replacement: the new content whole, nothing left aside', async () => {
    const file = join(dir(), 'key.json');
    await createFileOnce(file, 'old', 0o600);
    await replaceFile(file, 'new', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir())).toEqual(['key.json']);
  });
});
