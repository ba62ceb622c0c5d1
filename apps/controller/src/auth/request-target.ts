import type { ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { httpReplyOf, httpRequestOf } from '../common/http-host';
import type { Access } from './roles';
import type { AuthenticatedRequest, GraphqlAuthContext, Principal } from './principal';

/** What the guards need to know about a call, whether it came over HTTP, GraphQL over HTTP or graphql-ws. */
export interface RequestTarget {
  transport: 'http' | 'graphql' | 'graphql-ws';
  access: Access;
  /** The HTTP request (absent for a graphql-ws subscription). */
  req?: AuthenticatedRequest;
  /** The HTTP reply (absent for a graphql-ws subscription). */
  reply?: FastifyReply;
  /** The principal graphql-ws authenticated at connection time. */
  principal?: Principal | null;
  /** The `Authorization` header of an HTTP request. */
  authorization?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function describeRequest(context: ExecutionContext): RequestTarget {
  if (context.getType<GqlContextType>() === 'graphql') {
    const gql = GqlExecutionContext.create(context);
    const ctx = gql.getContext<GraphqlAuthContext | undefined>() ?? {};
    const operation = gql.getInfo<{ operation?: { operation?: string } } | undefined>()?.operation?.operation;
    const access: Access = operation === 'mutation' ? 'write' : 'read';
    // Subscriptions only travel over graphql-ws (authenticated once, in onConnect).
    if (!ctx.req || operation === 'subscription') return { transport: 'graphql-ws', access, req: ctx.req, principal: ctx.principal };
    return { transport: 'graphql', access, req: ctx.req, reply: ctx.reply, principal: ctx.principal, authorization: ctx.req.headers?.authorization };
  }
  const req = httpRequestOf<AuthenticatedRequest>(context);
  return { transport: 'http', access: READ_METHODS.has(req.method) ? 'read' : 'write', req, reply: httpReplyOf<FastifyReply>(context), authorization: req.headers.authorization };
}
