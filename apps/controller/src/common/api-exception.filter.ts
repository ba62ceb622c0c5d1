import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { requestLogger } from '../observability/logging';
import { ApiError, ApiErrorCode } from './api-errors';
import { httpReplyOf, httpRequestOf } from './http-host';

const CODES: Record<number, ApiErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Statuses that are always about the body as a whole (too large, not a media type we take). */
const BODY_STATUSES = new Set([413, 415]);

const bodyProblem = (status: number, message: string): ApiError => new ApiError(status, 'VALIDATION_FAILED', `body: ${message}`, 'body', [{ field: 'body', message }]);

/** Any error, as the one JSON error shape (see api-errors.ts). */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message =
      typeof body === 'string' ? body : Array.isArray((body as { message?: unknown }).message) ? ((body as { message: string[] }).message).join('; ') : String((body as { message?: unknown }).message ?? exception.message);
    if (BODY_STATUSES.has(status)) return bodyProblem(status, message);
    return new ApiError(status, CODES[status] ?? 'INTERNAL', message);
  }
  const fastifyError = exception as { code?: unknown; statusCode?: unknown; message?: string } | null;
  if (typeof fastifyError?.code === 'string' && fastifyError.code.startsWith('FST_') && typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    // Fastify refused the request before any route ran: a body it cannot take (FST_ERR_CTP_*), a bad URL.
    const message = fastifyError.message ?? fastifyError.code;
    if (fastifyError.code.startsWith('FST_ERR_CTP_') || BODY_STATUSES.has(fastifyError.statusCode)) return bodyProblem(fastifyError.statusCode, message);
    return new ApiError(fastifyError.statusCode, CODES[fastifyError.statusCode] ?? 'VALIDATION_FAILED', message);
  }
  const name = (exception as { name?: string } | null)?.name ?? '';
  if (/^(MaxRetriesPerRequestError|ConnectionError)$/.test(name) || /Connection is closed|ECONNREFUSED/.test(String((exception as Error)?.message))) {
    return new ApiError(503, 'UNAVAILABLE', 'the state store (Redis) is not reachable; nothing was changed');
  }
  return new ApiError(500, 'INTERNAL', 'internal error');
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  /** `log`: the process's pino logger (HTTP_LOGGER), for 5xx lines that name their request. */
  constructor(private readonly log: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const error = toApiError(exception);
    const request = httpRequestOf<FastifyRequest>(host);
    if (error.status >= 500) requestLogger(this.log, request).error({ err: exception }, exception instanceof Error ? exception.message : String(exception));
    const reply = httpReplyOf<FastifyReply>(host);
    if (error.status === 429 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '1');
    void reply.code(error.status).send({ error: error.toJSON(), requestId: request.id ?? null });
  }
}
