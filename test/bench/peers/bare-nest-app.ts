/**
 * The floor under bench:controller's attachment figures: a NestJS app on the controller's own
 * HTTP adapter (controllerHttpAdapter), validation pipe and error filter, with one route that
 * validates the same CreateAttachmentDto and answers 202 at once. No auth, rate limit, request
 * hooks, Redis, IPAM, deciding or storing: what any NestJS controller with this DTO pays per
 * request on this machine. Listens on 127.0.0.1:OVS_FLEET_HTTP_PORT with the controller's listen
 * backlog; GET /health says it is up.
 */
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { controllerHttpAdapter } from '../../../apps/controller/src/app.setup';
import { CreateAttachmentDto } from '../../../apps/controller/src/attachments/attachment.dto';
import { ApiExceptionFilter } from '../../../apps/controller/src/common/api-exception.filter';
import { apiValidationPipe } from '../../../apps/controller/src/common/validation';
import { loadControllerConfig } from '../../../apps/controller/src/config/controller-config';
import { pino } from 'pino';

@Controller()
class BareController {
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Post('v1/attachments')
  @HttpCode(202)
  create(@Body() attachment: CreateAttachmentDto): { attachment: CreateAttachmentDto; operation: null } {
    return { attachment, operation: null };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, controllerHttpAdapter(), { logger: false });
  app.useGlobalPipes(apiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(pino({ level: 'warn' }))); // the controller's level in the benchmark
  app.enableShutdownHooks();
  const config = loadControllerConfig(process.env); // the controller's port and listen backlog, read as it reads them
  await app.listen({ port: config.httpPort, host: '127.0.0.1', backlog: config.httpBacklog });
}

void main();
