import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../test/helpers/temp-dir.js';
import { ephemeralJwtKey, jwtKeyFile, jwtPublicPart, openJwtKeyFile } from './jwt-signing-key.js';

const temp = tempDirPerTest('vapi-auth-jwt-');
const dir = () => temp.path;

describe('the JWT signing key', () => {
  it('publishes the public JWK only', async () => {
    const key = (await ephemeralJwtKey(0)).current();
    const published = jwtPublicPart(key);
    expect(published).toMatchObject({ use: 'jwt', id: key.kid });
    expect(JSON.parse(published.material)).toEqual({ ...key.publicJwk });
    expect(JSON.parse(published.material).d).toBeUndefined();
  });

  it('signs with the newest key of a file written when the file kept retired keys too', async () => {
    const [older, newer] = [(await ephemeralJwtKey(0)).current(), (await ephemeralJwtKey(1)).current()];
    mkdirSync(join(dir(), 'jwt'));
    writeFileSync(jwtKeyFile(dir()), JSON.stringify({ keys: [older, newer] }));
    expect((await openJwtKeyFile(dir(), 2)).current()).toEqual(newer);
  });
});
