import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const shaOf = new Map<string, string>();

/**
 * Runs a Lua script by its SHA-1 (EVALSHA), sending its text (EVAL) only when Redis does not hold it
 * (NOSCRIPT: the first call, or after a restart or SCRIPT FLUSH). EVAL would send the whole text
 * and have Redis hash it again on every call: a store read runs a script on every request.
 */
export async function runScript(redis: Redis, script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
  let sha = shaOf.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shaOf.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (error) {
    // Nothing ran: the script is unknown to this Redis, so EVAL runs it (once) and loads it.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, numKeys, ...args);
  }
}
