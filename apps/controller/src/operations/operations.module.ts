import { Module } from '@nestjs/common';
import { OperationsController } from './operations.controller';
import { OperationsResolver } from './operations.resolver';
import { OperationsService } from './operations.service';

/** GET /v1/operations/:id and OperationsService (get, wait, watch, markQueued, onHostApplied). Needs the global RedisModule. */
@Module({ controllers: [OperationsController], providers: [OperationsService, OperationsResolver], exports: [OperationsService] })
export class OperationsModule {}
