import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditEvent } from './audit-trail.js';

/**
 * Audit events as JSON lines, appended to a file (created 0600) or written to stdout (`-`).
 * Each line is one write to a file opened for appending, so the workers of one server, and the CLI,
 * can share the file without tearing each other's lines. `reopen` (on SIGHUP) lets logrotate move it.
 */
export class AuditLog {
  readonly #file: string | undefined;
  #fd: number | undefined;

  constructor(destination: string) {
    this.#file = destination === '-' ? undefined : destination;
    this.#fd = this.#file === undefined ? undefined : openSync(this.#file, 'a', 0o600);
  }

  readonly write = (event: AuditEvent): void => {
    const line = `${JSON.stringify(event)}\n`;
    // stdout may be a pipe, where a synchronous write can fail while it is full: Node queues for us.
    if (this.#fd === undefined) process.stdout.write(line);
    else writeSync(this.#fd, line);
  };

  /** Opens the file again under its name: after a rotation, new lines go to the new file. */
  reopen(): void {
    if (this.#file === undefined || this.#fd === undefined) return;
    const old = this.#fd;
    this.#fd = openSync(this.#file, 'a', 0o600);
    closeSync(old);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
