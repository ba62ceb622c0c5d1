import { Module } from '@nestjs/common';
import { AgentService } from './agent.service';
import { AGENT_CONFIG, AGENT_SETTINGS } from './agent.tokens';
import { loadAgentConfig } from './config/agent-config';
import { loadAgentSettings } from './config/agent-settings';

export { AGENT_CONFIG, AGENT_SETTINGS } from './agent.tokens';

@Module({
  providers: [
    { provide: AGENT_CONFIG, useFactory: () => loadAgentConfig(process.env) },
    { provide: AGENT_SETTINGS, useFactory: () => loadAgentSettings(process.env) },
    AgentService,
  ],
  exports: [AGENT_CONFIG, AGENT_SETTINGS, AgentService],
})
export class AgentModule {}
