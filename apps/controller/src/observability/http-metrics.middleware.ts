import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ControllerMetrics } from './metrics';

/** Label for requests no route matched (404s): raw URLs would give the counter unbounded labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route pattern that served the request (`/v1/hosts/:id`), never the raw URL. */
export function routePattern(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
}

/** Counts and times every HTTP request once its response is sent (or the client went away). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: ControllerMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const stopTimer = this.metrics.httpRequestDuration.startTimer();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const labels = { method: req.method, route: routePattern(req), status: String(res.statusCode) };
      this.metrics.httpRequests.inc(labels);
      stopTimer(labels);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  }
}
