import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AGENT_CONFIG, AGENT_SETTINGS } from './agent.tokens';
import type { AgentConfig } from './config/agent-config';
import type { AgentSettings } from './config/agent-settings';
import { createAgentLogger } from './observability/logger';
import { AgentRuntime } from './runtime/agent-runtime';

/** The agent's runtime inside the Nest application context: started by main.ts, stopped with the app (SIGTERM). */
@Injectable()
export class AgentService implements OnApplicationShutdown {
  readonly runtime: AgentRuntime;

  constructor(@Inject(AGENT_CONFIG) config: AgentConfig, @Inject(AGENT_SETTINGS) settings: AgentSettings) {
    this.runtime = new AgentRuntime({ config, settings, logger: createAgentLogger(config.hostId, settings.logLevel) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
