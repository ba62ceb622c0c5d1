import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../defaults';
import { OvsdbConnectionError } from '../errors';
import { ActiveRemote, formatRemote, isPassive, parseRemote, Remote } from './remote';
import { TlsCredentials, tlsOptions } from './tls';

export interface ConnectOptions {
  /** Required for `ssl:` remotes. */
  tls?: TlsCredentials;
  /** Give up connecting after this many ms (default DEFAULT_CONNECT_TIMEOUT_MS, 10 s); 0: never. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Opens an active connection (`unix:`, `tcp:`, `ssl:`); resolves once it is usable (TLS handshake done). */
export function connectRemote(remote: string | Remote, options: ConnectOptions = {}): Promise<Socket> {
  const parsed = typeof remote === 'string' ? parseRemote(remote) : remote;
  const name = formatRemote(parsed);
  if (isPassive(parsed)) return Promise.reject(new OvsdbConnectionError('is a passive remote: listen on it with OvsdbListener instead of connecting', name));
  const active = parsed as ActiveRemote;
  if (active.kind === 'ssl' && !options.tls) return Promise.reject(new OvsdbConnectionError('ssl: remote needs TLS credentials (private key, certificate, CA certificate)', name));
  if (options.signal?.aborted) return Promise.reject(new OvsdbConnectionError('connect aborted', name, { cause: options.signal.reason }));

  return new Promise((resolve, reject) => {
    let socket: Socket;
    const readyEvent = active.kind === 'ssl' ? 'secureConnect' : 'connect';
    if (active.kind === 'unix') socket = netConnect({ path: active.path });
    else if (active.kind === 'tcp') socket = netConnect({ host: active.host, port: active.port, noDelay: true });
    else {
      socket = tlsConnect({ host: active.host, port: active.port, ...tlsOptions(options.tls as TlsCredentials) });
      socket.setNoDelay(true);
    }

    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = timeoutMs > 0 ? setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs) : undefined;
    const onAbort = () => fail(new Error('connect aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.off(readyEvent, ready);
    };
    function fail(cause: Error) {
      cleanup();
      socket.destroy();
      reject(new OvsdbConnectionError(`connect failed: ${cause.message}`, name, { cause }));
    }
    function ready() {
      cleanup();
      if (socket instanceof TLSSocket && !socket.authorized) {
        fail(new Error(`server certificate not trusted: ${String(socket.authorizationError)}`));
        return;
      }
      resolve(socket);
    }
    socket.once('error', fail);
    socket.once(readyEvent, ready);
  });
}
