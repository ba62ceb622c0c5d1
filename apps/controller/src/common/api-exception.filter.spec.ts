import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ConflictError } from './api-errors';
import { toApiError } from './api-exception.filter';

/** An error as Fastify makes them (fastify-error: code, statusCode). */
function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toApiError', () => {
  it.each([
    ['an ApiError, as it is', new ConflictError('name', 'is taken'), { status: 409, code: 'CONFLICT', field: 'name' }],
    ["Nest's 404", new NotFoundException('Cannot GET /nothing'), { status: 404, code: 'NOT_FOUND', field: null, message: 'Cannot GET /nothing' }],
    ["Nest's 413 (a body over Fastify's limit)", new PayloadTooLargeException('Request body is too large'), { status: 413, code: 'VALIDATION_FAILED', field: 'body' }],
    ["Fastify's 415", fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type'), { status: 415, code: 'VALIDATION_FAILED', field: 'body' }],
    ["Fastify's empty JSON body", fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400, "Body cannot be empty when content-type is set to 'application/json'"), { status: 400, code: 'VALIDATION_FAILED', field: 'body' }],
    ["Fastify's bad URL", fastifyError('FST_ERR_BAD_URL', 400, "'/%' is not a valid url component"), { status: 400, code: 'VALIDATION_FAILED', field: null }],
    ['Redis unreachable', Object.assign(new Error('Connection is closed.'), { name: 'Error' }), { status: 503, code: 'UNAVAILABLE' }],
    ['a 5xx from Fastify (never trusted as a client error)', fastifyError('FST_ERR_SOMETHING', 500, 'boom'), { status: 500, code: 'INTERNAL', message: 'internal error' }],
    ['anything else', new TypeError('x is undefined'), { status: 500, code: 'INTERNAL', message: 'internal error' }],
  ])('maps %s', (_what, exception, expected) => {
    expect(toApiError(exception).toJSON()).toMatchObject(expected);
  });
});
