import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Absolute path of a built file under dist/; `npm test` builds before it runs the suites. */
export function distPath(relative: string): string {
  const path = fileURLToPath(new URL(`../../dist/${relative}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first`);
  return path;
}

export function distUrl(relative: string): string {
  return pathToFileURL(distPath(relative)).href;
}
