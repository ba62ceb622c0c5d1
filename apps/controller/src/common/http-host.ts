import type { ArgumentsHost } from '@nestjs/common';

/*
 * The HTTP request and reply of a Nest context, read by position (the order switchToHttp()
 * reads them in). switchToHttp() Object.assigns three new closures onto the context on every
 * call; called by each guard, interceptor and the filter, it was about an eighth of the
 * controller's CPU per refused request (CPU profile of bench:controller).
 */

/** The HTTP request of an `http` context. */
export function httpRequestOf<T>(host: ArgumentsHost): T {
  return host.getArgByIndex<T>(0);
}

/** The HTTP reply of an `http` context. */
export function httpReplyOf<T>(host: ArgumentsHost): T {
  return host.getArgByIndex<T>(1);
}
