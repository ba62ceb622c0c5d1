import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ControllerMetrics } from './metrics';

/** Label for requests no route matched (404s): raw URLs would give the counter unbounded labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Paths served by handlers mounted outside Nest's controllers (Apollo, Swagger), labelled as themselves. */
const MOUNTED_ROUTES = new Set(['/graphql', '/docs', '/docs-json']);

/**
 * The route pattern that served the request (`/v1/hosts/:id`), never the raw URL. Express
 * leaves on `req.route` the last route dispatched. A controller route answers one method;
 * Nest mounts middleware with `app.all()`, a route for every method, so such a route left
 * there means no controller route matched (hence: no @All() controllers).
 */
export function routePattern(req: Request): string {
  const route = req.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
  const methods = Object.keys(route?.methods ?? {});
  if (typeof route?.path === 'string' && methods.length === 1 && methods[0] !== '_all') return `${req.baseUrl ?? ''}${route.path}`;
  const path = (req.originalUrl ?? req.url).split('?')[0];
  return MOUNTED_ROUTES.has(path) ? path : UNMATCHED_ROUTE;
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
