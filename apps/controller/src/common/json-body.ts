import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from './api-errors';

/**
 * JSON bodies through Fastify's own parser (its prototype-poisoning checks included), except
 * that an empty body with a JSON content type is no body rather than an error: clients send
 * `Content-Type: application/json` on a DELETE or on a POST without a body. A body that is not
 * JSON is a 400 naming `body`.
 */
export function acceptEmptyJsonBodies(app: NestFastifyApplication): void {
  const parseJson = (app.getHttpAdapter().getInstance() as unknown as FastifyInstance).getDefaultJsonParser('error', 'error');
  app.useBodyParser<Server>('application/json', {}, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    else parseJson(request, body.toString('utf8'), (error, value) => (error ? done(new BadRequestError('body', `is not valid JSON (${error.message})`), undefined) : done(null, value)));
  });
}
