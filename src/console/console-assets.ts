import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/** The console's built files (`npm run build` puts them there; the npm package ships them). */
export const CONSOLE_ASSETS_DIR = join(PACKAGE_ROOT, 'dist', 'ui') + sep;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface ConsoleAsset {
  file: string;
  type: string;
}

/**
 * The files a request may fetch, by URL path below `/ui/` (`assets/index-3f9a.js`), listed once at
 * start: a request names one of these or nothing, so no path it sends reaches the file system.
 * Files of other types (source maps, licences) are not served. An unbuilt checkout has none.
 */
export function listConsoleAssets(dir: string): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  const visit = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = join(at, name);
      if (statSync(file).isDirectory()) visit(file);
      else if (Object.hasOwn(TYPES, extname(name))) assets.set(relative(dir, file).split(sep).join('/'), { file, type: TYPES[extname(name)]! });
    }
  };
  try {
    visit(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return assets;
}
