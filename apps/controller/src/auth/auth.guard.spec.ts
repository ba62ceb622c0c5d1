import { Controller, Get, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ApiError } from '../common/api-errors';
import { parseTokens } from '../config/controller-config';
import { AuthGuard } from './auth.guard';
import { Public, RequireRole } from './decorators';
import type { AuthenticatedRequest, Principal } from './principal';
import { TokenAuthenticator } from './token-authenticator';

const SECRET = { admin: 'admin-secret-0123456789', provisioner: 'prov-secret-0123456789', viewer: 'view-secret-0123456789' };
const tokens = parseTokens(`root:admin:${SECRET.admin},ci:provisioner:${SECRET.provisioner},dash:viewer:${SECRET.viewer}`);
const guard = new AuthGuard(new Reflector(), new TokenAuthenticator({ tokens }));

@Controller('things')
class ThingsController {
  @Get() list(): void {}
  @Post() create(): void {}
  @RequireRole('provisioner') @Post('attach') attach(): void {}
  @Public() @Get('open') open(): void {}
}

@RequireRole('admin')
@Controller('secrets')
class SecretsController {
  @Get() list(): void {}
  @Public() @Get('open') open(): void {}
}

type Handler = (...args: unknown[]) => unknown;

function httpContext(cls: new () => object, handler: string, method: string, authorization?: string): { context: ExecutionContextHost; req: AuthenticatedRequest } {
  const req = { method, headers: authorization === undefined ? {} : { authorization } } as AuthenticatedRequest;
  const context = new ExecutionContextHost([req, {}, () => undefined], cls, (cls.prototype as Record<string, Handler>)[handler]);
  context.setType('http');
  return { context, req };
}

function graphqlContext(operation: 'query' | 'mutation' | 'subscription', ctx: object): ExecutionContextHost {
  const context = new ExecutionContextHost([{}, {}, ctx, { operation: { operation } }], ThingsController, ThingsController.prototype.list);
  context.setType('graphql');
  return context;
}

function outcome(run: () => boolean): number {
  try {
    return run() ? 200 : 0;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

describe('AuthGuard over HTTP', () => {
  // class, handler, method, role presenting the token (or none), expected status
  const controllers = { things: ThingsController, secrets: SecretsController };
  const table: [keyof typeof controllers, string, string, keyof typeof SECRET | 'none', number][] = [
    ['things', 'list', 'GET', 'none', 401],
    ['things', 'list', 'GET', 'viewer', 200],
    ['things', 'list', 'GET', 'provisioner', 200],
    ['things', 'list', 'GET', 'admin', 200],
    ['things', 'create', 'POST', 'viewer', 403],
    ['things', 'create', 'POST', 'provisioner', 403],
    ['things', 'create', 'POST', 'admin', 200],
    ['things', 'attach', 'POST', 'none', 401],
    ['things', 'attach', 'POST', 'viewer', 403],
    ['things', 'attach', 'POST', 'provisioner', 200],
    ['things', 'attach', 'POST', 'admin', 200],
    ['things', 'open', 'GET', 'none', 200],
    ['secrets', 'list', 'GET', 'viewer', 403],
    ['secrets', 'list', 'GET', 'provisioner', 403],
    ['secrets', 'list', 'GET', 'admin', 200],
    ['secrets', 'open', 'GET', 'none', 200],
  ];
  it.each(table)('%s.%s (%s) as %s: %i', (controller, handler, method, who, status) => {
    const { context } = httpContext(controllers[controller], handler, method, who === 'none' ? undefined : `Bearer ${SECRET[who]}`);
    expect(outcome(() => guard.canActivate(context))).toBe(status);
  });

  it('leaves the principal on the request', () => {
    const { context, req } = httpContext(ThingsController, 'list', 'GET', `Bearer ${SECRET.provisioner}`);
    guard.canActivate(context);
    expect(req.principal).toEqual({ name: 'ci', role: 'provisioner' });
  });

  it('names the role needed in a 403', () => {
    const { context } = httpContext(ThingsController, 'attach', 'POST', `Bearer ${SECRET.viewer}`);
    expect(() => guard.canActivate(context)).toThrow(/needs the provisioner role.*"dash" has the viewer role/);
  });

  it('refuses a wrong token with 401', () => {
    const { context } = httpContext(ThingsController, 'list', 'GET', 'Bearer wrong-token-0123456789');
    expect(outcome(() => guard.canActivate(context))).toBe(401);
  });
});

describe('AuthGuard over GraphQL', () => {
  const http = (secret?: string) => ({ req: { method: 'POST', headers: secret ? { authorization: `Bearer ${secret}` } : {} } });
  const ws = (principal: Principal | null) => ({ principal });

  it.each([
    ['query', http(SECRET.viewer), 200],
    ['mutation', http(SECRET.viewer), 403],
    ['mutation', http(SECRET.admin), 200],
    ['query', http(), 401],
    ['subscription', ws({ name: 'dash', role: 'viewer' }), 200],
    ['subscription', ws(null), 401],
    ['subscription', { req: { headers: {} } }, 401],
  ] as const)('%s with %j: %i', (operation, ctx, status) => {
    expect(outcome(() => guard.canActivate(graphqlContext(operation, structuredClone(ctx))))).toBe(status);
  });

  it('leaves the principal on the GraphQL context request', () => {
    const ctx = http(SECRET.provisioner) as { req: AuthenticatedRequest };
    guard.canActivate(graphqlContext('query', ctx));
    expect(ctx.req.principal).toEqual({ name: 'ci', role: 'provisioner' });
  });
});
