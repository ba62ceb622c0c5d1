import { Module } from '@nestjs/common';
import { loadAgentConfig } from './config/agent-config';

export const AGENT_CONFIG = Symbol('AGENT_CONFIG');

@Module({
  providers: [{ provide: AGENT_CONFIG, useFactory: () => loadAgentConfig(process.env) }],
  exports: [AGENT_CONFIG],
})
export class AgentModule {}
