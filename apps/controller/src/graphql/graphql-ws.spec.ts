import { GraphQLError } from 'graphql';
import type { Context, ServerOptions } from 'graphql-ws';
import { TokenAuthenticator } from '../auth';
import { NotFoundError } from '../common/api-errors';
import { parseTokens } from '../config/controller-config';
import { graphqlContext } from './graphql-api.module';
import { connectionAuthorization, graphqlWsOptions, refuseAllButSubscriptions, WsExtra } from './graphql-ws';

const SECRET = 'ws-viewer-token-0123456789';
const auth = new TokenAuthenticator({ tokens: parseTokens(`dash:viewer:${SECRET}`) });
const options = graphqlWsOptions(auth) as ServerOptions<Record<string, unknown>, WsExtra>;

function connection(connectionParams?: Record<string, unknown>): Context<Record<string, unknown>, WsExtra> {
  return { connectionParams, extra: {}, acknowledged: false, connectionInitReceived: true, subscriptions: {} } as Context<Record<string, unknown>, WsExtra>;
}

describe('graphql-ws connections', () => {
  it('accepts a valid bearer token and keeps its principal for the guards', async () => {
    const ctx = connection({ authorization: `Bearer ${SECRET}` });
    expect(await options.onConnect?.(ctx)).toBe(true);
    expect(ctx.extra.principal).toEqual({ name: 'dash', role: 'viewer' });
    expect(graphqlContext({ extra: ctx.extra })).toEqual({ principal: { name: 'dash', role: 'viewer' } });
  });

  it.each([
    ['no connectionParams', undefined],
    ['no authorization', {}],
    ['a wrong token', { authorization: 'Bearer not-a-configured-token-0' }],
    ['the token without "Bearer"', { authorization: SECRET }],
    ['a token that is no string', { authorization: 42 }],
  ])('refuses %s', async (_what, params) => {
    const ctx = connection(params);
    expect(await options.onConnect?.(ctx)).toBe(false);
    expect(ctx.extra.principal).toBeUndefined();
  });

  it('reads the authorization under either case', () => {
    expect(connectionAuthorization({ Authorization: 'Bearer x' })).toBe('Bearer x');
    expect(connectionAuthorization({ authorization: 'Bearer y' })).toBe('Bearer y');
    expect(connectionAuthorization(undefined)).toBeUndefined();
  });

  it('gives HTTP requests their request and reply (as the Apollo Fastify integration passes them) as context', () => {
    const req = { headers: {} } as never;
    const reply = { sent: false } as never;
    expect(graphqlContext(req, reply)).toEqual({ req, reply });
  });
});

describe('graphql-ws carries subscriptions only', () => {
  it.each([
    ['a subscription', 'subscription { operationProgress(id: "x") { id } }', undefined],
    ['a named subscription among others', 'query Q { hosts { nextCursor } } subscription S { operationProgress(id: "x") { id } }', 'S'],
    ['a syntax error (left to graphql-ws to report)', 'subscription {', undefined],
  ])('lets %s through', (_what, query, operationName) => {
    expect(refuseAllButSubscriptions({ query, operationName })).toBeUndefined();
  });

  it.each([
    ['query', '{ hosts { nextCursor } }'],
    ['mutation', 'mutation { deleteHost(id: "h1") { dryRun } }'],
  ])('refuses a %s, pointing at POST /graphql', (operation, query) => {
    const errors = refuseAllButSubscriptions({ query });
    expect(errors).toHaveLength(1);
    expect(errors?.[0].message).toBe(`a ${operation} is not served over graphql-ws (subscriptions only): send it to POST /graphql`);
    expect(options.onError?.(connection(), '1', { query }, errors ?? [])).toEqual([
      { message: errors?.[0].message, extensions: { code: 'VALIDATION_FAILED', status: 400, field: null, details: [] } },
    ]);
  });
});

describe('graphql-ws errors in the one error shape', () => {
  it('formats the errors of a result', async () => {
    const error = new GraphQLError('operation "x" does not exist', { path: ['operationProgress'], originalError: new NotFoundError('id', 'operation "x" does not exist') });
    const formatted = await options.onNext?.(connection(), '1', { query: '' }, {} as never, { data: null, errors: [error] });
    expect(formatted).toEqual({
      data: null,
      errors: [{ message: 'operation "x" does not exist', path: ['operationProgress'], extensions: { code: 'NOT_FOUND', status: 404, field: 'id', details: [{ field: 'id', message: 'operation "x" does not exist' }] } }],
    });
  });

  it('leaves a result without errors as it is', async () => {
    expect(await options.onNext?.(connection(), '1', { query: '' }, {} as never, { data: { operationProgress: { id: 'x' } } })).toBeUndefined();
  });
});
