import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, http } from './helpers/http.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What `npm pack` puts in the tarball. Scripts are skipped: the suite runs on the dist it was built with. */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  return (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
}

describe('the npm package', () => {
  it('holds dist (the built console too), examples, README, LICENSE and package.json, and no tests or sources', async () => {
    const files = await packedFiles();
    for (const file of files) expect(file).toMatch(/^(dist\/.+\.(js|d\.ts)|dist\/ui\/(index\.html|assets\/[^/]+\.(js|css))|examples\/[^/]+|README\.md|LICENSE|package\.json)$/);
    expect(files).toContain('dist/ui/index.html');
    expect(files.filter((file) => /\.test\.|(^|\/)test\/|^src\//.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'examples/firmware-update.mjs']));
  });

  describe('installed from its tarball into an empty directory', () => {
    let dir: string;
    let app: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vapi-auth-install-'));
      app = join(dir, 'app');
      const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
      const tarball = join(dir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
      // From the local cache where it can (only the npm registry is reachable). Install scripts are
      // skipped to keep this fast; argon2's is then run alone, because every start hashes with it
      // and its prebuilt binary does not fit every machine. better-sqlite3 (built from source where
      // no prebuilt binary fits, a minute) is only loaded by the sqlite store: the server below runs
      // on the memory store.
      await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app });
      await run('npm', ['rebuild', 'argon2', '--prefer-offline'], { cwd: app });
    }, 240_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('npx vapi-auth --version prints the package version', async () => {
      const { stdout } = await run('npx', ['--no-install', 'vapi-auth', '--version'], { cwd: app });
      expect(stdout.trim()).toBe(VERSION);
    });

    it('vapi-auth serve (the bin npm linked) serves, and stops on SIGTERM', async () => {
      const child = spawn(join(app, 'node_modules', '.bin', 'vapi-auth'), ['serve', '--http', '--port', '0', '--store', 'memory', '--data-dir', join(dir, 'data')], {
        cwd: app,
        env: { ...process.env, VAPI_AUTH_ADMIN_PASSWORD: 'Packaged-1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8');
            const match = out.match(/Server listening at (http:\/\/[^"\s]+)/);
            if (match) resolve(match[1]!);
          });
          void exited.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
        });
        expect((await http(`${url}/healthz`)).status).toBe(200);
        // The console is served from the built files the package ships; nothing is built at start.
        expect((await http(`${url}/ui/`)).text).toContain('<div id="app">');
        expect((await http(`${url}/api/session`, { method: 'POST', headers: basic('administrator@vsphere.local', 'Packaged-1') })).status).toBe(201);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    });
  });
});
