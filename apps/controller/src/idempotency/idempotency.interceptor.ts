import { createHash, randomUUID } from 'node:crypto';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { from, Observable, of, switchMap, tap, catchError, throwError } from 'rxjs';
import { KEY_PREFIX } from '@ovs-fleet/contracts';
import { BadRequestError, ConflictError } from '../common/api-errors';
import { httpRequestOf } from '../common/http-host';
import { REDIS } from '../redis/redis.module';
import { SKIP_IDEMPOTENCY } from './skip-idempotency.decorator';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[A-Za-z0-9_.:-]{1,200}$/;
/** How long a key's first answer is kept. */
export const IDEMPOTENCY_TTL_S = 24 * 3600;
/** How long a repeat waits for the first request with the same key to finish. */
const IN_FLIGHT_WAIT_MS = 15_000;

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  /** A pending claim's own id: a claim ioredis sends again after a dropped connection finds itself. */
  claim?: string;
  body?: unknown;
}

export const idempotencyKey = (principal: string, key: string): string =>
  `${KEY_PREFIX}:idempotency:${principal}:${createHash('sha256').update(key).digest('hex')}`;

/**
 * `Idempotency-Key` on a POST: the first request with a key runs; a repeat (same caller,
 * same key) gets the first answer again instead of running twice, even from another
 * controller process. The same key with another body or path is refused (409). A first
 * request that fails leaves no trace, so it may be retried with the same key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = httpRequestOf<FastifyRequest & { principal?: { name: string } }>(context);
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    if (this.reflector.getAllAndOverride<boolean>(SKIP_IDEMPOTENCY, [context.getHandler(), context.getClass()])) {
      throw new BadRequestError('Idempotency-Key', 'not accepted here: this answer holds a secret and is never stored');
    }
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY.test(key)) throw new BadRequestError('Idempotency-Key', 'must be 1 to 200 letters, digits, "_", ".", ":" or "-"');
    const redisKey = idempotencyKey(request.principal?.name ?? 'anonymous', key);
    const fingerprint = createHash('sha256').update(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    return from(this.claim(redisKey, fingerprint)).pipe(
      switchMap((previous) => {
        if (previous) return of(previous.body);
        return next.handle().pipe(
          tap((body) => void this.redis.set(redisKey, JSON.stringify({ state: 'done', fingerprint, body } satisfies Stored), 'EX', IDEMPOTENCY_TTL_S)),
          catchError((error: unknown) => from(this.redis.del(redisKey)).pipe(switchMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Null when this request is the first with the key (and now holds it), else the first answer. */
  private async claim(redisKey: string, fingerprint: string): Promise<Stored | null> {
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    const pending = JSON.stringify({ state: 'pending', fingerprint, claim: randomUUID() } satisfies Stored);
    for (;;) {
      const text = await this.redis.set(redisKey, pending, 'EX', IDEMPOTENCY_TTL_S, 'NX', 'GET');
      if (text === null || text === pending) return null;
      const stored = JSON.parse(text) as Stored;
      if (stored.fingerprint !== fingerprint) throw new ConflictError('Idempotency-Key', 'this key was used for a different request (another path or body)');
      if (stored.state === 'done') return stored;
      if (Date.now() > deadline) throw new ConflictError('Idempotency-Key', 'a request with this key is still being processed; retry later');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
