import { Module } from '@nestjs/common';
import { IpamService } from './ipam.service';

/** IPAM for the features that hand out addresses (attachments) or report them (metrics). Needs RedisModule (global). */
@Module({ providers: [IpamService], exports: [IpamService] })
export class IpamModule {}
