import { readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../test/helpers/temp-dir.js';
import { ephemeralStsKeys, openStsKeyFile, stsKeyFile, stsPublicPart } from './sts-keys.js';

const temp = tempDirPerTest('vapi-auth-sts-');
const dir = () => temp.path;

describe('the STS key', () => {
  it('is one file, readable by its owner only, holding the key and its certificate', async () => {
    const keys = await openStsKeyFile(dir(), 0);
    const { key, cert, fingerprint } = keys.current();
    expect(statSync(stsKeyFile(dir())).mode & 0o077).toBe(0);
    expect(readFileSync(stsKeyFile(dir()), 'utf8')).toBe(`${key.trimEnd()}\n${cert.trimEnd()}\n`);
    expect(fingerprint).toBe(new X509Certificate(cert).fingerprint256);
    expect((await openStsKeyFile(dir(), 0)).current()).toEqual(keys.current());
  }, 30_000);

  it('publishes the certificate only, named by its fingerprint', async () => {
    const key = (await ephemeralStsKeys()).current();
    expect(stsPublicPart(key)).toEqual({ use: 'sts', id: key.fingerprint, material: key.cert, createdAt: Date.parse(new X509Certificate(key.cert).validFrom) });
    expect(stsPublicPart(key).material).not.toContain('PRIVATE KEY');
  }, 30_000);

  it('keeps the key of a data dir() written before the single file (sts/key.pem and sts/cert.pem)', async () => {
    const earlier = (await ephemeralStsKeys()).current();
    mkdirSync(join(dir(), 'sts'));
    writeFileSync(join(dir(), 'sts', 'key.pem'), earlier.key);
    writeFileSync(join(dir(), 'sts', 'cert.pem'), earlier.cert);
    expect((await openStsKeyFile(dir(), 0)).current().fingerprint).toBe(earlier.fingerprint);
  }, 30_000);

  it('refuses a file whose certificate is not of its key, naming the file', async () => {
    const [one, other] = await Promise.all([ephemeralStsKeys(), ephemeralStsKeys()]);
    mkdirSync(join(dir(), 'sts'));
    writeFileSync(stsKeyFile(dir()), `${one.current().key}${other.current().cert}`);
    await expect(openStsKeyFile(dir(), 0)).rejects.toThrow(`${stsKeyFile(dir())}: broken STS signing key file (the certificate is not of the private key)`);
  }, 30_000);
});
