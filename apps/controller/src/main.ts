import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, controllerHttpAdapter } from './app.setup';
import { CONTROLLER_CONFIG, ControllerConfig } from './config/controller-config';

async function bootstrap(): Promise<void> {
  const app = configureApp(await NestFactory.create<NestFastifyApplication>(AppModule, controllerHttpAdapter(), { bufferLogs: true }));
  const config = app.get<ControllerConfig>(CONTROLLER_CONFIG);
  await app.listen({ port: config.httpPort, host: config.httpHost, backlog: config.httpBacklog });
}

void bootstrap();
