import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CLIENT_CLOSED, onClientClosed } from './client-closed';
import type { ControllerMetrics } from './metrics';

/** Label for requests no route matched (404s): raw URLs would give the counter unbounded labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route pattern that served the request (`/v1/hosts/:id`), never the raw URL. */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Counts and times every HTTP request once its response is sent; counts (untimed, status
 * 499) one whose client went away before it was answered.
 */
export function recordHttpMetrics(fastify: FastifyInstance, metrics: ControllerMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: routeLabel(request), status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  onClientClosed(fastify, (request) => metrics.httpRequests.inc({ method: request.method, route: routeLabel(request), status: CLIENT_CLOSED }));
}
