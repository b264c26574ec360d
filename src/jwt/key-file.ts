import { join } from 'node:path';

/** Where the JWT signing keys live in a data dir. Nodes that share tokens share this file. */
export function jwtKeyFile(dataDir: string): string {
  return join(dataDir, 'jwt', 'keys.json');
}
