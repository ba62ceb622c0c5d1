import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The status a request whose client went away before it was answered is counted and logged with (nginx's convention). */
export const CLIENT_CLOSED = '499';

type ClientClosedListener = (request: FastifyRequest, reply: FastifyReply) => void;

/** Each instance's listeners, served by one hook and one 'close' listener per request. */
const listenersOf = new WeakMap<FastifyInstance, ClientClosedListener[]>();

/**
 * Calls `listener` once for each request whose client went away before its answer was sent:
 * while the request was still arriving, or while it was being served. Fastify has a hook for
 * the first only (onRequestAbort), and runs no onResponse for the second (the answer is
 * written to a closed connection), so it is read from the response itself: closed, not finished.
 */
export function onClientClosed(fastify: FastifyInstance, listener: ClientClosedListener): void {
  const known = listenersOf.get(fastify);
  if (known) {
    known.push(listener);
    return;
  }
  const listeners = [listener];
  listenersOf.set(fastify, listeners);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) for (const each of listeners) each(request, reply);
    });
    done();
  });
}
