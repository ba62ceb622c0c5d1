import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { httpRequestOf } from './http-host';

/** The request's id (Fastify's request.id, from requestIdOf), carried into operations and jobs. */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const request = httpRequestOf<{ id?: unknown }>(context);
  return typeof request?.id === 'string' ? request.id : request?.id != null ? String(request.id) : null;
});
