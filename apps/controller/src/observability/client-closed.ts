import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The status a request whose client went away before it was answered is counted and logged with (nginx's convention). */
export const CLIENT_CLOSED = '499';

/**
 * Calls `listener` once for each request whose client went away before its answer was sent:
 * while the request was still arriving, or while it was being served. Fastify has a hook for
 * the first only (onRequestAbort), and runs no onResponse for the second (the answer is
 * written to a closed connection), so it is read from the response itself: closed, not finished.
 */
export function onClientClosed(fastify: FastifyInstance, listener: (request: FastifyRequest, reply: FastifyReply) => void): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) listener(request, reply);
    });
    done();
  });
}
