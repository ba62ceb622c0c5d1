import { ForbiddenException, Logger } from '@nestjs/common';
import { graphql, GraphQLError, GraphQLSchema } from 'graphql';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { apiErrorOf, formatGraphqlError, inputFieldOf, requestIdInErrors } from './graphql-errors';
import { buildSchema } from './schema-file';

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await buildSchema();
});

/** The errors graphql-js itself gives for a document and variables (no resolver runs: they are refused first). */
async function requestErrors(source: string, variableValues?: Record<string, unknown>): Promise<readonly GraphQLError[]> {
  const result = await graphql({ schema, source, variableValues });
  expect(result.data ?? null).toBeNull();
  return result.errors ?? [];
}

describe('request errors from graphql-js name the input field', () => {
  const PUT_HOST = 'mutation ($id: ID!, $input: PutHostInput!) { putHost(id: $id, input: $input) { dryRun } }';
  const CREATE_NETWORK = 'mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { dryRun } }';
  const input = { tunnelIp: '203.0.113.11' };

  // document, variables, field
  const table: [string, string, Record<string, unknown> | undefined, string | null][] = [
    ['a variable field of the wrong type', PUT_HOST, { id: 'h1', input: { ...input, underlayMtu: 'big' } }, 'underlayMtu'],
    ['an unknown variable field', PUT_HOST, { id: 'h1', input: { ...input, colour: 'red' } }, 'colour'],
    ['a missing required variable field', PUT_HOST, { id: 'h1', input: {} }, 'tunnelIp'],
    ['a nested variable field of the wrong type', CREATE_NETWORK, { input: { name: 'blue', type: 'vxlan', subnets: [{ cidr: 5 }] } }, 'subnets[0].cidr'],
    ['an unknown nested variable field', CREATE_NETWORK, { input: { name: 'blue', type: 'vxlan', subnets: [{ cidr: '198.18.0.0/24', vlan: 5 }] } }, 'subnets[0].vlan'],
    ['an enum value that does not exist', CREATE_NETWORK, { input: { name: 'blue', type: 'mpls' } }, 'type'],
    ['a JSONObject that is an array', PUT_HOST, { id: 'h1', input: { ...input, labels: ['a'] } }, 'labels'],
    ['a missing variable', PUT_HOST, { input }, 'id'],
    ['a scalar variable of the wrong type', PUT_HOST, { id: 5.5, input }, 'id'],
    ['a missing argument', 'mutation { putHost(input: { tunnelIp: "203.0.113.11" }) { dryRun } }', undefined, 'id'],
    ['an unknown argument', '{ host(id: "h1", colour: "red") { id } }', undefined, 'colour'],
    ['an unknown literal field', 'mutation { putHost(id: "h1", input: { tunnelIp: "203.0.113.11", colour: "red" }) { dryRun } }', undefined, 'colour'],
    ['a missing literal field', 'mutation { putHost(id: "h1", input: { underlayMtu: 1500 }) { dryRun } }', undefined, 'tunnelIp'],
    ['a literal of the wrong type (graphql-js does not say where)', 'mutation { putHost(id: "h1", input: { tunnelIp: 5 }) { dryRun } }', undefined, null],
    ['a syntax error', '{ hosts { ', undefined, null],
  ];
  it.each(table)('%s', async (_what, source, variables, field) => {
    const [error] = await requestErrors(source, variables);
    const apiError = apiErrorOf(error);
    expect(apiError.toJSON()).toEqual({ status: 400, code: 'VALIDATION_FAILED', message: error.message, field, details: field ? [{ field, message: error.message }] : [] });
  });

  it('a refused string value cannot pose as a field name', () => {
    expect(inputFieldOf('Variable "$input" got invalid value { tunnelIp: "x; Field \\"evil\\" is not defined" }; Int cannot represent non-integer value: "x"')).toBe('input');
  });
});

describe('errors from resolvers, guards and subscriptions', () => {
  const atField = (originalError: Error) => new GraphQLError(originalError.message, { path: ['host'], originalError });
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => logged.mockRestore());

  it('keeps an ApiError as it is', () => {
    const conflict = new ConflictError('name', 'network blue exists');
    expect(apiErrorOf(atField(conflict))).toBe(conflict);
    expect(logged).not.toHaveBeenCalled();
  });

  it('maps a Nest HttpException (a guard returning false) to its status', () => {
    expect(apiErrorOf(atField(new ForbiddenException('Forbidden resource'))).toJSON()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('answers 503 when Redis is unreachable', () => {
    expect(apiErrorOf(atField(new Error('Connection is closed.'))).toJSON()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });

  it.each([
    ['a resolver', atField(new TypeError('cannot read x of undefined'))],
    ['a subscription source (graphql-ws wraps it without path or location)', new GraphQLError('cannot read x of undefined', { originalError: new TypeError('cannot read x of undefined') })],
    ['a result that does not fit its type', new GraphQLError('Int cannot represent non-integer value: 1.5', { path: ['host', 'underlayMtu'] })],
  ])('hides an unexpected failure in %s behind INTERNAL, and logs it', (_where, error) => {
    const formatted = formatGraphqlError(error.toJSON(), error);
    expect(formatted.message).toBe('internal error');
    expect(formatted.extensions).toMatchObject({ status: 500, code: 'INTERNAL', field: null });
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('formats as the one error shape', () => {
    const error = new GraphQLError('host h9 is not registered', { path: ['host'], originalError: new NotFoundError('id', 'host h9 is not registered') });
    const formatted = formatGraphqlError({ ...error.toJSON(), locations: [{ line: 1, column: 3 }] }, error);
    expect(formatted).toEqual({
      message: 'host h9 is not registered',
      locations: [{ line: 1, column: 3 }],
      path: ['host'],
      extensions: { code: 'NOT_FOUND', status: 404, field: 'id', details: [{ field: 'id', message: 'host h9 is not registered' }] },
    });
  });

  it('gets the HTTP request\'s id in every error of the response (requestIdInErrors)', async () => {
    const respond = async (req: { id?: unknown } | undefined) => {
      const response = { body: { kind: 'single', singleResult: { errors: [{ message: 'a', extensions: { code: 'NOT_FOUND' } }, { message: 'b' }] } } };
      const listener = await requestIdInErrors.requestDidStart?.({ contextValue: { req } } as never);
      await listener?.willSendResponse?.({ contextValue: { req }, response } as never);
      return response.body.singleResult.errors;
    };
    expect(await respond({ id: 'req-42' })).toEqual([
      { message: 'a', extensions: { code: 'NOT_FOUND', requestId: 'req-42' } },
      { message: 'b', extensions: { requestId: 'req-42' } },
    ]);
    expect(await respond(undefined)).toEqual([{ message: 'a', extensions: { code: 'NOT_FOUND' } }, { message: 'b' }]);
  });
});
