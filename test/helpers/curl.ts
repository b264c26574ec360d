import { execFile, spawnSync } from 'node:child_process';

const MISSING = 'curl is not installed (Debian package curl); CI must have it';

/** Whether curl is here; under CI its absence is an error, not a skip. */
export function curlAvailable(): boolean {
  const found = spawnSync('curl', ['--version']).status === 0;
  if (!found && process.env.CI) throw new Error(MISSING);
  return found;
}

/** Runs curl with `args` (plus `-s` and the status on a last line of its own): the body and the status. */
export function curl(args: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-w', '\n%{http_code}', ...args], (error, stdout) => {
      if (error) return reject(error);
      const cut = stdout.lastIndexOf('\n');
      resolve({ body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) });
    });
  });
}
