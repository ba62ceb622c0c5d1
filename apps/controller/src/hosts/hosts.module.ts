import { Module } from '@nestjs/common';
import { AgentCredentialsService } from './agent-credentials.service';
import { HostsController } from './hosts.controller';
import { HostsResolver } from './hosts.resolver';
import { HostsService } from './hosts.service';

@Module({ controllers: [HostsController], providers: [HostsService, AgentCredentialsService, HostsResolver], exports: [HostsService] })
export class HostsModule {}
