import { request } from 'node:http';
import { connect } from 'node:net';
import Fastify, { FastifyInstance } from 'fastify';
import { requestIdOf } from '../request-context';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A Fastify server set up as the controller's (request ids from requestIdOf), listening on a
 * free loopback port: `setup` adds hooks and routes before it starts.
 */
export async function listeningFastify(setup: (fastify: FastifyInstance) => void) {
  const fastify = Fastify({ genReqId: requestIdOf, requestIdHeader: false });
  setup(fastify);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fastify.server.address() as { port: number };
  const send = (method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        res.resume();
        // onResponse hooks run just after the response goes out.
        res.on('end', () => setTimeout(() => resolve({ status: res.statusCode ?? 0, headers: res.headers }), 20));
      })
        .on('error', reject)
        .end();
    });
  /** Writes `raw` (a request, whole or in part) on a connection of its own, then closes it before any answer. */
  const sendThenHangUp = async (raw: string): Promise<void> => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(raw);
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.destroy();
  };
  return { fastify, send, sendThenHangUp, close: () => fastify.close() };
}
