import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AgentModule } from './agent.module';

// One agent per host. It has no HTTP API: it consumes its host's job queue.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AgentModule);
  app.enableShutdownHooks();
}

void bootstrap();
