import { Module } from '@nestjs/common';
import { HostsController } from './hosts.controller';
import { HostsResolver } from './hosts.resolver';
import { HostsService } from './hosts.service';

@Module({ controllers: [HostsController], providers: [HostsService, HostsResolver], exports: [HostsService] })
export class HostsModule {}
