import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AgentModule } from './agent.module';
import { AgentService } from './agent.service';
import { AgentAccessError } from './runtime/agent-runtime';

/** Exit codes: 2 bad configuration, 3 Redis refuses this agent's ACL user, 1 anything else at start. */
const EXIT_CONFIG = 2;
const EXIT_ACCESS = 3;
const EXIT_START = 1;

function fatalLine(message: string): void {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg: message })}\n`);
}

// One agent per host: consumes its host's job queue and converges the host (see runtime/agent-runtime.ts).
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AgentModule, { logger: ['error', 'warn'], abortOnError: false }).catch((error: unknown) => {
    fatalLine(error instanceof Error ? error.message : String(error));
    process.exit(EXIT_CONFIG);
  });
  // SIGTERM/SIGINT: the job in hand is finished before the process ends.
  app.enableShutdownHooks();
  const { runtime } = app.get(AgentService);
  const exit = async (code: number): Promise<never> => {
    await app.close().catch(() => undefined);
    process.exit(code);
  };
  void runtime.fatal.then(() => exit(EXIT_ACCESS));
  try {
    await runtime.start();
  } catch (error) {
    if (runtime.stopping) return;
    fatalLine(error instanceof Error ? error.message : String(error));
    await exit(error instanceof AgentAccessError ? EXIT_ACCESS : EXIT_START);
  }
}

void bootstrap();
