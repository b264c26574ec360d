import { envName, resolveConfig, type Flags } from '../config/options.js';
import { systemClock } from '../core/clock.js';
import { jwtKeyFile } from '../jwt/key-file.js';
import { KeyRing } from '../jwt/key-ring.js';
import { UsageError } from './user.js';
import { rotateStsKeys } from '../sso/sts-keys.js';

/** `vapi-auth sts rotate`: a new STS signing key; the old certificate stays trusted while its tokens live. */
export async function stsCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  if (args[0] !== 'rotate') throw new UsageError('usage: vapi-auth sts rotate [--data-dir DIR]');
  const config = resolveConfig(flags, env);
  await rotateStsKeys(config.dataDir, systemClock.now(), config.stsMaxLifetimeMs);
  out.write(`New STS signing key in ${config.dataDir}/sts; restart the servers to sign with it\n`);
}

/**
 * `vapi-auth keys rotate|list`: the JWT signing keys in the data dir. A rotation adds a key that
 * signs from then on; keys retired longer ago than the token lifetime are dropped. Running
 * servers pick the change up within seconds.
 */
export async function keysCommand(args: string[], flags: Flags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<void> {
  const config = resolveConfig(flags, env);
  const file = jwtKeyFile(config.dataDir);
  const keys = await KeyRing.open(file, systemClock.now());
  switch (args[0]) {
    case 'rotate': {
      const kid = await keys.rotate(systemClock.now(), config.tokenLifetimeMs);
      out.write(`New signing key ${kid} in ${file}\n`);
      return;
    }
    case 'list':
      for (const key of keys.jwks().keys) out.write(`${key.kid}\t${key.alg}\n`);
      return;
    default:
      throw new UsageError(`usage: vapi-auth keys rotate|list [--data-dir DIR] [--token-lifetime DURATION] (or ${envName('data-dir')})`);
  }
}
