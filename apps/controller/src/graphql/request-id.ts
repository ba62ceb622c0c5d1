import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

/** The HTTP request's id in a resolver (REST's @RequestId reads the HTTP context, which a resolver has not). */
export const GqlRequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const id = GqlExecutionContext.create(context).getContext<{ req?: { id?: unknown } } | undefined>()?.req?.id;
  return typeof id === 'string' ? id : null;
});
