import { isIP } from 'node:net';
import { Client, InvalidCredentialsError, NoSuchObjectError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import type { Clock } from '../core/clock.js';
import { DirectoryUnavailableError } from '../core/errors.js';
import type { LdapSourceConfig } from './sources-file.js';

export interface DirectoryLog {
  warn(details: object, text: string): void;
}

type ServerConfig = Pick<LdapSourceConfig, 'domain' | 'urls' | 'startTls' | 'ca' | 'bindDn' | 'bindPassword' | 'connectTimeoutMs' | 'timeoutMs' | 'retryIntervalMs'>;

/** Answers of the directory about the request itself (no such base, too many entries): not a sign the server is unwell. */
function isAnswer(error: unknown): boolean {
  return error instanceof NoSuchObjectError || error instanceof SizeLimitExceededError;
}

/** Why a server failed, for the log: the error's name and message, which never hold a credential. */
function reasonOf(error: unknown): string {
  if (error instanceof ResultCodeError) return `${error.name} (${error.code})`;
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * The servers of one directory, tried in order: a server that does not answer (refused, timed out,
 * TLS failure, busy) is passed over for `retryIntervalMs` and the next one is asked; the last one
 * that answered is asked first. Searches share one service-bound connection per server, made on
 * first use and made again after a failure; each user bind gets a connection of its own, closed
 * at once, so a user's identity never leaks into the service connection.
 */
export class LdapServers {
  readonly #config: ServerConfig;
  readonly #clock: Clock;
  readonly #log: DirectoryLog;
  readonly #downUntil: number[];
  readonly #service: (Promise<Client> | undefined)[];
  #preferred = 0;

  constructor(config: ServerConfig, clock: Clock, log: DirectoryLog) {
    this.#config = config;
    this.#clock = clock;
    this.#log = log;
    this.#downUntil = config.urls.map(() => 0);
    this.#service = config.urls.map(() => undefined);
  }

  /** Runs `operation` on the service connection of the first server that answers. */
  asService<T>(operation: (client: Client) => Promise<T>): Promise<T> {
    return this.#onAnyServer(async (index) => {
      const connection = await this.#serviceConnection(index);
      try {
        const result = await operation(connection);
        // ldapts reconnects a dropped connection by itself, but unbound (and without StartTLS): a
        // search on it would see nothing, which must not read as "no such user".
        if (!connection.isBound) throw new Error('the connection was re-established without the service bind');
        return result;
      } catch (error) {
        // Closed, it is replaced by a new connection at the next use.
        if (!isAnswer(error)) void connection.unbind().catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Whether the directory accepts `password` for `dn`, by a simple bind on a fresh connection. An empty
   * password is refused without asking: LDAP reads it as an anonymous bind, which would succeed.
   */
  async bindAs(dn: string, password: string): Promise<boolean> {
    if (dn === '' || password === '') return false;
    return this.#onAnyServer(async (index) => {
      let client: Client | undefined;
      try {
        client = await this.#connect(index);
        await client.bind(dn, password);
        return true;
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return false;
        throw error;
      } finally {
        void client?.unbind().catch(() => undefined);
      }
    });
  }

  async close(): Promise<void> {
    const connections = this.#service.splice(0, this.#service.length);
    await Promise.all(connections.map((connection) => connection?.then((client) => client.unbind()).catch(() => undefined)));
  }

  async #onAnyServer<T>(attempt: (index: number) => Promise<T>): Promise<T> {
    const count = this.#config.urls.length;
    const now = this.#clock.now();
    let last: unknown = new Error('every server failed within the retry interval');
    for (let step = 0; step < count; step++) {
      const index = (this.#preferred + step) % count;
      if (this.#downUntil[index]! > now) continue;
      try {
        const result = await attempt(index);
        this.#preferred = index;
        return result;
      } catch (error) {
        if (isAnswer(error)) throw error;
        last = error;
        this.#downUntil[index] = this.#clock.now() + this.#config.retryIntervalMs;
        this.#log.warn({ domain: this.#config.domain, url: this.#config.urls[index], reason: reasonOf(error) }, 'directory server did not answer');
      }
    }
    throw new DirectoryUnavailableError(`identity source ${this.#config.domain} is unavailable: ${reasonOf(last)}`);
  }

  /** A connection to server `index`, over TLS when configured, after `prepare` (the service bind). */
  async #connect(index: number, prepare?: (client: Client) => Promise<void>): Promise<Client> {
    const url = this.#config.urls[index]!;
    const tlsOptions = {
      ...(this.#config.ca ? { ca: this.#config.ca } : {}),
      minVersion: 'TLSv1.2' as const,
    };
    // ldapts speaks TLS from the start whenever it is given TLS options: only for ldaps://.
    const secure = /^ldaps:/i.test(url);
    const client = new Client({ url, timeout: this.#config.timeoutMs, connectTimeout: this.#config.connectTimeoutMs, ...(secure ? { tlsOptions } : {}), strictDN: false });
    try {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (this.#config.startTls) await client.startTLS({ ...tlsOptions, host, ...(isIP(host) ? {} : { servername: host }) });
      await prepare?.(client);
      return client;
    } catch (error) {
      void client.unbind().catch(() => undefined);
      throw error;
    }
  }

  /** The service-bound connection to server `index`: the open one, or a new one when it was closed. */
  async #serviceConnection(index: number): Promise<Client> {
    const current = this.#service[index];
    const client = current && (await current.catch(() => undefined));
    if (client?.isBound) return client;
    if (this.#service[index] === current) {
      this.#service[index] = this.#connect(index, (fresh) => fresh.bind(this.#config.bindDn, this.#config.bindPassword.reveal()));
      if (client) void client.unbind().catch(() => undefined);
    }
    return this.#service[index]!;
  }

}
