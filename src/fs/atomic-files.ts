import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A name beside `path` that no other process or call uses. */
function temporaryName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

const exists = (error: unknown) => ['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Creates `file` with `content` unless it exists; true when this call created it. The file appears
 * whole or not at all (written aside, then hard-linked into place, which fails when the name is
 * taken), so of several processes racing to create it exactly one wins and the others read its file.
 */
export async function createFileOnce(file: string, content: string, mode: number): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryName(file);
  await writeFile(temporary, content, { mode });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if (exists(error)) return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Replaces `file` with `content`: written aside and renamed, so a reader never sees half a file. */
export async function replaceFile(file: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryName(file);
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}

/**
 * Creates the directory `dir` holding `files` (name → content and mode) unless it exists; true when
 * this call created it. The files appear together or not at all: they are written into a directory
 * aside, which is renamed into place (a rename onto a directory with files in it fails), so files
 * that belong together, such as a key and its certificate, always match.
 */
export async function createDirectoryOnce(dir: string, files: Record<string, { content: string; mode: number }>): Promise<boolean> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const temporary = temporaryName(dir);
  await mkdir(temporary, { mode: 0o700 });
  try {
    for (const [name, { content, mode }] of Object.entries(files)) await writeFile(`${temporary}/${name}`, content, { mode });
    await rename(temporary, dir);
    return true;
  } catch (error) {
    if (exists(error)) return false;
    throw error;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}
