import { Module } from '@nestjs/common';
import { OvsResourcesController } from './ovs-resources.controller';
import { OvsResourcesService } from './ovs-resources.service';

@Module({ controllers: [OvsResourcesController], providers: [OvsResourcesService], exports: [OvsResourcesService] })
export class OvsResourcesModule {}
