import { ApiProperty } from '@nestjs/swagger';
import { IsHostId, IsNetworkName } from './validators';
import { IsUUID } from 'class-validator';

export class HostIdParam {
  @ApiProperty({ description: 'Host id: 1-63 lowercase letters, digits, "-".' })
  @IsHostId()
  id!: string;
}

export class NetworkNameParam {
  @ApiProperty()
  @IsNetworkName()
  name!: string;
}

export class UuidParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4', { message: 'must be a UUID' })
  id!: string;
}
