import { Module } from '@nestjs/common';
import { AgentPlans } from './agent-plans';
import { HostQueues } from './host-queues';

/** The per-host converge queues (producer side). Needs the global ConfigModule. */
@Module({ providers: [HostQueues, AgentPlans], exports: [HostQueues, AgentPlans] })
export class JobsModule {}
