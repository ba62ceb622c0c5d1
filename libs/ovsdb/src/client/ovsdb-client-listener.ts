import { EventEmitter } from 'node:events';
import type { JsonRpcSessionOptions } from '../protocol/jsonrpc-session';
import { ListenOptions, OvsdbListener } from '../transport/listener';
import type { Remote } from '../transport/remote';
import { OvsdbClient } from './ovsdb-client';

export interface OvsdbClientListenerEvents {
  /** An OVSDB server dialed in (e.g. ovsdb-server `--remote=tcp:OUR_ADDR:PORT`): talk to it through `client`. */
  client: [client: OvsdbClient, peer: string];
  'connection-error': [error: Error];
}

/**
 * Listens on a passive remote (`ptcp:`, `pssl:`, `punix:`) and hands out every server
 * that connects as an OvsdbClient. Closing the listener leaves handed-out clients open.
 */
export class OvsdbClientListener extends EventEmitter<OvsdbClientListenerEvents> {
  private constructor(readonly listener: OvsdbListener) {
    super();
  }

  static async listen(remote: string | Remote, options: ListenOptions & JsonRpcSessionOptions = {}): Promise<OvsdbClientListener> {
    const listener = await OvsdbListener.listen(remote, options);
    const wrapper = new OvsdbClientListener(listener);
    listener.on('connection', (socket, peer) => {
      const client = new OvsdbClient(socket, { ...options, remote: `${listener.boundRemote} <- ${peer}` });
      wrapper.emit('client', client, peer);
    });
    listener.on('connection-error', (error) => wrapper.emit('connection-error', error));
    return wrapper;
  }

  get port(): number | undefined {
    return this.listener.port;
  }

  get boundRemote(): string {
    return this.listener.boundRemote;
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
