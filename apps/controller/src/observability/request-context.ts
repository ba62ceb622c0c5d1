/**
 * The request id: taken from an incoming `X-Request-Id` when it is a sane token, else
 * generated; it is Fastify's `request.id` (error bodies, logs and operations carry it) and is
 * echoed in the `X-Request-Id` response header. It travels explicitly (`request.id`,
 * @RequestId, an operation's and a job's `requestId`), never through an AsyncLocalStorage: on
 * Node 20 one entered per request makes every promise of the process pay a hook, which cost
 * the controller about a third of its request rate (bench:controller).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming id if it is a plain token of at most 128 characters, else a new UUID. */
export function chooseRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Fastify's `genReqId`: each request's id, from its headers. */
export function requestIdOf(raw: IncomingMessage): string {
  return chooseRequestId(raw.headers['x-request-id']);
}

/** Echoes each request's id in its response, first thing (so error answers carry it too). */
export function echoRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
