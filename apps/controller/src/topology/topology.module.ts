import { Module } from '@nestjs/common';
import { TopologyController } from './topology.controller';
import { TopologyResolver } from './topology.resolver';
import { TopologyService } from './topology.service';

@Module({ controllers: [TopologyController], providers: [TopologyService, TopologyResolver] })
export class TopologyModule {}
