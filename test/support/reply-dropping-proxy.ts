/**
 * A TCP proxy on loopback that can lose a reply: armed, it throws away the next bytes the
 * server sends and cuts the client's connection. The command ran on the server, its reply
 * never reached the client, which (ioredis) reconnects through the proxy and sends it again:
 * what a Redis killed between running a command and answering it does, made deterministic.
 *
 *   const proxy = await ReplyDroppingProxy.start(server.port);
 *   const redis = new Redis(proxy.port, '127.0.0.1');
 *   const cut = proxy.loseNextReply();  // then send the command; `cut` settles when it is lost
 *   proxy.loseNextReply('ovsf:idempotency:');  // the reply that follows a command naming it
 *   proxy.beforeCommand('ovsf:state:generation', () => other.set(LOCK, 'x'));  // something else happens first
 */
import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

export class ReplyDroppingProxy {
  private armed: { lost: () => void; after: string | null; on: Socket | null } | null = null;
  private hook: { text: string; action: () => Promise<unknown>; done: () => void; failed: (error: unknown) => void } | null = null;
  private readonly sockets = new Set<Socket>();
  /** How many replies (server chunks) were thrown away so far. */
  lost = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  static async start(targetPort: number): Promise<ReplyDroppingProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new ReplyDroppingProxy(server, targetPort);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Loses the next reply from the server and cuts that connection; resolves once it has.
   * With `after`, the next reply on the connection that sent a command containing that text.
   */
  loseNextReply(after: string | null = null): Promise<void> {
    if (this.armed) throw new Error('a reply is already to be lost');
    return new Promise((lost) => (this.armed = { lost, after, on: null }));
  }

  /**
   * Runs `action` before the first command containing `text` reaches the server (that
   * command and the ones after it wait); resolves once it has run.
   */
  beforeCommand(text: string, action: () => Promise<unknown>): Promise<void> {
    if (this.hook) throw new Error('a command is already waited for');
    return new Promise((done, failed) => (this.hook = { text, action, done, failed }));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = createConnection(this.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined); // the other side's close follows
    }
    // Chunks held back while a beforeCommand action runs, forwarded in order after it.
    let held: Buffer[] | null = null;
    client.on('data', (chunk: Buffer) => {
      const armed = this.armed;
      if (armed?.after && !armed.on && chunk.includes(armed.after)) armed.on = client;
      if (held) {
        held.push(chunk);
        return;
      }
      const hook = this.hook;
      if (!hook || !chunk.includes(hook.text)) {
        upstream.write(chunk);
        return;
      }
      this.hook = null;
      held = [chunk];
      void hook.action().then(hook.done, hook.failed).finally(() => {
        for (const waiting of held ?? []) upstream.write(waiting);
        held = null;
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      const armed = this.armed;
      if (!armed || (armed.after !== null && armed.on !== client)) {
        client.write(chunk);
        return;
      }
      this.armed = null;
      this.lost++;
      client.destroy();
      upstream.destroy();
      armed.lost();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
