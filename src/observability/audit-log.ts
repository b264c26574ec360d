import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditEvent } from './audit-trail.js';

/**
 * Audit events as JSON lines, appended to a file (created 0600) or written to stdout (`-`).
 * Each line is one write to a file opened for appending, so the workers of one server, and the CLI,
 * can share the file without tearing each other's lines. `reopen` (on SIGHUP) lets logrotate move it.
 */
export class AuditLog {
  readonly #file: string;
  #fd: number;

  constructor(destination: string) {
    this.#file = destination;
    this.#fd = destination === '-' ? 1 : openSync(destination, 'a', 0o600);
  }

  readonly write = (event: AuditEvent): void => {
    writeSync(this.#fd, `${JSON.stringify(event)}\n`);
  };

  /** Opens the file again under its name: after a rotation, new lines go to the new file. */
  reopen(): void {
    if (this.#fd === 1) return;
    const old = this.#fd;
    this.#fd = openSync(this.#file, 'a', 0o600);
    closeSync(old);
  }

  close(): void {
    if (this.#fd !== 1) closeSync(this.#fd);
  }
}
