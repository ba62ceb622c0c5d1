import type { Request } from 'express';
import { routePattern, UNMATCHED_ROUTE } from './http-metrics.middleware';

const ALL_METHODS = Object.fromEntries(['acl', 'get', 'post', 'put', 'delete', 'patch', 'head', 'options'].map((m) => [m, true]));

function req(url: string, route?: { path: string; methods: Record<string, boolean> }, baseUrl = ''): Request {
  return { originalUrl: url, url, baseUrl, route } as unknown as Request;
}

describe('routePattern', () => {
  it.each([
    ['a controller route', req('/v1/hosts/h1?x=1', { path: '/v1/hosts/:id', methods: { get: true } }), '/v1/hosts/:id'],
    ['a route under a mounted router', req('/v1/hosts/h1', { path: '/hosts/:id', methods: { delete: true } }, '/v1'), '/v1/hosts/:id'],
    ['a middleware route left by a request nothing matched', req('/no/such/thing', { path: '{/*splat}', methods: ALL_METHODS }), UNMATCHED_ROUTE],
    ['a route mounted with all()', req('/x', { path: '/x', methods: { _all: true } }), UNMATCHED_ROUTE],
    ['no route at all', req('/nothing'), UNMATCHED_ROUTE],
    ['GraphQL (Apollo middleware)', req('/graphql', { path: '{/*splat}', methods: ALL_METHODS }), '/graphql'],
    ['the OpenAPI document', req('/docs-json?pretty'), '/docs-json'],
  ])('labels %s', (_what, request, label) => {
    expect(routePattern(request)).toBe(label);
  });
});
