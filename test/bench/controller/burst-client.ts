/**
 * bench:controller's load client: HTTP/1.1 POSTs of JSON on keep-alive connections, written
 * with node:net and no HTTP client library. It runs on the same two cores as the process it
 * measures, so its own CPU is taken from the controller: node:http's client spent 0.36 to
 * 0.60 ms per request of a 1,000-request burst here (fetch about 2.3 ms), this one 0.19 to 0.26.
 *
 * Every request in flight has a connection of its own (an idle one if there is one, else a new
 * one), as node:http's keep-alive agent with no socket limit does. It reads answers delimited by
 * Content-Length, which is how Fastify sends JSON; any other framing is refused with an error.
 */
import { connect, type Socket } from 'node:net';

export interface BurstAnswer {
  status: number;
  /** From writing the request until the answer's last byte arrived. */
  ms: number;
  body: unknown;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class BurstClient {
  private readonly idle: Socket[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly port: number,
    private readonly headers: Record<string, string>,
    private readonly host = '127.0.0.1',
  ) {}

  post(path: string, body: object): Promise<BurstAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    const head = [`POST ${path} HTTP/1.1`, `Host: ${this.host}:${this.port}`, ...Object.entries(this.headers).map(([name, value]) => `${name}: ${value}`), 'Content-Type: application/json', `Content-Length: ${payload.length}`, '', ''].join('\r\n');
    const socket = this.idle.pop() ?? this.open();
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let received: Buffer = Buffer.alloc(0);
      const done = (error?: Error) => {
        socket.off('data', onData).off('error', done).off('close', onClose);
        if (error) {
          socket.destroy();
          reject(error);
        }
      };
      const onClose = () => done(new Error(`POST ${path}: the connection closed before the answer was complete`));
      const onData = (chunk: Buffer) => {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        const headerEnd = received.indexOf(HEADER_END);
        if (headerEnd < 0) return;
        const header = received.toString('latin1', 0, headerEnd);
        const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(header)?.[1];
        if (length === undefined) return done(new Error(`POST ${path}: an answer without Content-Length: ${header.split('\r\n')[0]}`));
        const bodyStart = headerEnd + HEADER_END.length;
        if (received.length < bodyStart + Number(length)) return;
        const ms = performance.now() - started;
        done();
        if (received.length > bodyStart + Number(length)) return reject(new Error(`POST ${path}: more bytes than the answer's Content-Length`));
        if (/\r\nconnection:[ \t]*close/i.test(header)) socket.end();
        else this.idle.push(socket);
        const text = received.toString('utf8', bodyStart);
        try {
          resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(header)?.[1] ?? NaN), ms, body: text ? JSON.parse(text) : undefined });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      socket.on('data', onData).on('error', done).on('close', onClose);
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    });
  }

  /** Connections now open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.idle.length = 0;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.sockets.add(socket);
    socket.on('error', () => undefined); // an idle connection's error: 'close' follows and drops it; a request's own listener reports it
    socket.once('close', () => {
      this.sockets.delete(socket);
      const idleAt = this.idle.indexOf(socket);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
    });
    return socket;
  }
}
