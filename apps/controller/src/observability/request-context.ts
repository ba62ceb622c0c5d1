/**
 * The request id: taken from an incoming `X-Request-Id` when it is a sane token, else
 * generated; set as `request.id` (error bodies and logs carry it), echoed in the
 * `X-Request-Id` response header, and readable anywhere down the call chain with
 * `currentRequestId()`, so operations and jobs can carry it on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface RequestContext {
  requestId: string;
  /** The HTTP request served, for the log lines written meanwhile (absent in a job). */
  request?: IncomingMessage;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The id of the request (or job) this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The HTTP request this code runs for, if any. */
export function currentRequest(): IncomingMessage | undefined {
  return storage.getStore()?.request;
}

/** Runs `fn` with `currentRequestId()` answering `requestId`: for a job that carries the id of the request that caused it. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

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

/** Express middleware: the request id, and the context `currentRequestId()` and `currentRequest()` read, for the rest of the request. */
export function requestContextMiddleware(req: RequestWithId, res: ServerResponse, next: () => void): void {
  storage.run({ requestId: assignRequestId(req, res), request: req }, next);
}
