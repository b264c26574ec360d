import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';

/**
 * Files holding secrets (private keys, the database) are readable by their owner only. A file copied
 * in from elsewhere often arrives readable by all: it is narrowed when opened.
 */

/** Narrows `file` to mode 0600 when its group or others may access it. Throws when it cannot (not ours, read-only). */
export function restrictToOwner(file: string): void {
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

/** Creates `file` empty with mode 0600 when missing, else narrows it like restrictToOwner. */
export function ensureOwnerOnly(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  restrictToOwner(file);
}
