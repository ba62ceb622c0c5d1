/**
 * The request id: taken from an incoming `X-Request-Id` when it is a sane token, else
 * generated; set as `request.id` (error bodies, logs and operations carry it) and echoed in
 * the `X-Request-Id` response header. It travels explicitly (`request.id`, @RequestId, an
 * operation's and a job's `requestId`), never through an AsyncLocalStorage: on Node 20 one
 * entered per request makes every promise of the process pay a hook, which cost the
 * controller about a third of its request rate (bench:controller).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming id if it is a plain token of at most 128 characters, else a new UUID. */
export function chooseRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

type RequestWithId = IncomingMessage & { id?: unknown };

/** Gives the request its id once (idempotent). */
export function assignRequestId(req: RequestWithId, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = chooseRequestId(req.headers['x-request-id']);
  req.id = id;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Express middleware: the request's id, first thing. */
export function requestContextMiddleware(req: RequestWithId, res: ServerResponse, next: () => void): void {
  assignRequestId(req, res);
  next();
}
