import { connect as netConnect, type Socket } from 'node:net';

/** A raw TCP connection to a test server, for clients that misbehave below HTTP. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the connection has closed, from either side. */
  closed: Promise<void>;
  /** Resolves once what was received satisfies `done`; rejects if the connection closes first. */
  receive(done: (text: string) => boolean): Promise<string>;
}

/** Opens a TCP connection to the host and port of `url`, from `localAddress` when given (e.g. 127.0.0.2). */
export function rawConnect(url: string, localAddress?: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = netConnect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
  let text = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const waiter of waiters) waiter();
  });
  // A reset by the server is a close like any other here.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connection: RawConnection = {
    socket,
    received: () => text,
    closed,
    receive: (done) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!done(text)) return;
          waiters.delete(check);
          resolve(text);
        };
        waiters.add(check);
        void closed.then(() => {
          waiters.delete(check);
          if (done(text)) resolve(text);
          else reject(new Error(`connection closed; received: ${JSON.stringify(text.slice(0, 200))}`));
        });
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

/** A GET of `/healthz` on a kept-alive connection; resolves with the response once it is complete. */
export async function healthzOver(connection: RawConnection): Promise<string> {
  const before = connection.received().length;
  connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  return (await connection.receive((text) => text.slice(before).includes('\r\n\r\nok\n'))).slice(before);
}
