import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../test/helpers/temp-dir.js';
import { testKeyCodec as codec } from '../../test/helpers/test-key-codec.js';
import { SigningKeyFile } from './signing-key-file.js';


const temp = tempDirPerTest('vapi-auth-keyfile-');
const dir = () => temp.path;

describe('a signing key file', () => {
  it('is created once, readable by its owner only, and read again as it was', async () => {
    const file = join(dir(), 'keys', 'key.json');
    const first = await SigningKeyFile.open(file, codec, 0);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(statSync(join(dir(), 'keys')).mode & 0o077).toBe(0);
    expect((await SigningKeyFile.open(file, codec, 0)).current()).toEqual(first.current());
  });

  it('has one key however many open it at once on an empty dir: the first to create it wins', async () => {
    const file = join(dir(), 'key.json');
    const opened = await Promise.all(Array.from({ length: 20 }, () => SigningKeyFile.open(file, codec, 0)));
    const ids = new Set(opened.map((keys) => keys.current().id));
    expect(ids.size).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ id: [...ids][0] });
  });

  it('makes a file copied in readable by all readable by its owner only', async () => {
    const file = join(dir(), 'copied.json');
    writeFileSync(file, '{"id":"copied"}');
    chmodSync(file, 0o644);
    expect((await SigningKeyFile.open(file, codec, 0)).current().id).toBe('copied');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('starts from an earlier layout\'s key when the file is missing', async () => {
    const keys = await SigningKeyFile.open(join(dir(), 'key.json'), codec, 0, async () => ({ id: 'earlier' }));
    expect(keys.current().id).toBe('earlier');
  });

  it('names its file when the file is broken or holds no key', async () => {
    const file = join(dir(), 'key.json');
    for (const [content, message] of [['{"id":', ': broken test key file'], ['{}', ' holds no test key']]) {
      writeFileSync(file, content!);
      await expect(SigningKeyFile.open(file, codec, 0)).rejects.toThrow(`${file}${message}`);
    }
  });

  it('lets a running server see a replacement made by another process', async () => {
    const file = join(dir(), 'key.json');
    const server = await SigningKeyFile.open(file, codec, 0);
    const cli = await SigningKeyFile.open(file, codec, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const replacement = await cli.replace(await cli.generate(0));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(server.current()).toEqual(replacement);
  });

  it('replaces a withdrawn key by the one another process put in the file, else by a new one', async () => {
    const file = join(dir(), 'key.json');
    const server = await SigningKeyFile.open(file, codec, 0);
    const other = await SigningKeyFile.open(file, codec, 0);
    const withdrawn = server.current();
    const theirs = await other.replace(await other.generate(0));
    expect(await server.replaceWithdrawn(withdrawn, 0)).toEqual(theirs);
    const fresh = await server.replaceWithdrawn(theirs, 0);
    expect(fresh.id).not.toBe(theirs.id);
    expect((await SigningKeyFile.open(file, codec, 0)).current()).toEqual(fresh);
  });
});
