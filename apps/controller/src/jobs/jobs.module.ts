import { Module } from '@nestjs/common';
import { HostQueues } from './host-queues';

/** The per-host converge queues (producer side). Needs the global ConfigModule. */
@Module({ providers: [HostQueues], exports: [HostQueues] })
export class JobsModule {}
