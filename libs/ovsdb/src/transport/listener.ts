import { EventEmitter } from 'node:events';
import { unlinkSync } from 'node:fs';
import { AddressInfo, createServer as createNetServer, Server, Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { OvsdbConnectionError } from '../errors';
import { formatRemote, isPassive, parseRemote, PassiveRemote, Remote } from './remote';
import { TlsCredentials, tlsOptions } from './tls';

export interface ListenOptions {
  /** Required for `pssl:`: our key/cert, and the CA that dialing peers' certificates must chain to. */
  tls?: TlsCredentials;
}

export interface OvsdbListenerEvents {
  /** A peer (e.g. an ovsdb-server with an active `--remote=tcp:...`, or `ovs-vsctl set-manager`) connected. */
  connection: [socket: Socket, peer: string];
  /** A connection attempt that failed before it was usable (e.g. a TLS peer with an untrusted certificate). */
  'connection-error': [error: Error];
}

/**
 * A passive remote (`punix:`, `ptcp:`, `pssl:`) accepting connections dialed by OVSDB
 * servers. Each accepted connection is handed out as a `connection` event.
 */
export class OvsdbListener extends EventEmitter<OvsdbListenerEvents> {
  private constructor(
    private readonly server: Server,
    readonly remote: PassiveRemote,
  ) {
    super();
  }

  static async listen(remote: string | Remote, options: ListenOptions = {}): Promise<OvsdbListener> {
    const parsed = typeof remote === 'string' ? parseRemote(remote) : remote;
    const name = formatRemote(parsed);
    if (!isPassive(parsed)) throw new OvsdbConnectionError('is an active remote: connect to it instead of listening', name);
    if (parsed.kind === 'pssl' && !options.tls) throw new OvsdbConnectionError('pssl: remote needs TLS credentials', name);

    const server =
      parsed.kind === 'pssl'
        ? createTlsServer({ ...tlsOptions(options.tls as TlsCredentials), requestCert: true })
        : createNetServer({ noDelay: true });
    const listener = new OvsdbListener(server, parsed);
    server.on(parsed.kind === 'pssl' ? 'secureConnection' : 'connection', (socket: Socket) => listener.accept(socket));
    server.on('tlsClientError', (error: Error) => listener.emit('connection-error', error));

    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(new OvsdbConnectionError(`listen failed: ${cause.message}`, name, { cause })));
      if (parsed.kind === 'punix') server.listen(parsed.path, resolve);
      else server.listen(parsed.port, parsed.host ?? '0.0.0.0', resolve);
    });
    return listener;
  }

  /** The bound TCP port (the kernel's choice for `ptcp:0`). */
  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === 'object' && address ? (address as AddressInfo).port : undefined;
  }

  /** The remote string with the bound port filled in, e.g. `ptcp:41233:127.0.0.1`. */
  get boundRemote(): string {
    return this.remote.kind === 'punix' ? formatRemote(this.remote) : formatRemote({ ...this.remote, port: this.port ?? this.remote.port });
  }

  /** Stops accepting; connections already handed out stay open. Removes a punix socket file. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.remote.kind === 'punix') {
      try {
        unlinkSync(this.remote.path);
      } catch {
        // already gone
      }
    }
  }

  private accept(socket: Socket): void {
    if (socket instanceof TLSSocket && !socket.authorized) {
      this.emit('connection-error', new OvsdbConnectionError(`peer certificate not trusted: ${String(socket.authorizationError)}`, this.boundRemote));
      socket.destroy();
      return;
    }
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
    this.emit('connection', socket, peer);
  }
}
