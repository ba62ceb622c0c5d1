import { Global, Module } from '@nestjs/common';
import { HostStatusReader } from '../hosts/host-status';
import { IpamModule } from '../ipam/ipam.module';
import { JobsModule } from '../jobs/jobs.module';
import { OperationsModule } from '../operations/operations.module';
import { DocumentUpgrade } from './document-upgrade';
import { StateStore } from './state-store';

/** The desired state and everything a change to it drives: IPAM, queues, operations. */
@Global()
@Module({
  imports: [JobsModule, OperationsModule, IpamModule],
  providers: [StateStore, HostStatusReader, DocumentUpgrade],
  exports: [StateStore, HostStatusReader, JobsModule, OperationsModule, IpamModule],
})
export class StateModule {}
