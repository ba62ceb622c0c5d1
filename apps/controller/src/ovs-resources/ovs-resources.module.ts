import { Module } from '@nestjs/common';
import { OvsResourcesController } from './ovs-resources.controller';
import { OvsResourcesResolver } from './ovs-resources.resolver';
import { OvsResourcesService } from './ovs-resources.service';

@Module({ controllers: [OvsResourcesController], providers: [OvsResourcesService, OvsResourcesResolver], exports: [OvsResourcesService] })
export class OvsResourcesModule {}
