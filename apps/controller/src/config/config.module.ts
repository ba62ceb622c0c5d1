import { Global, Module } from '@nestjs/common';
import { CONTROLLER_CONFIG, loadControllerConfig } from './controller-config';

@Global()
@Module({
  providers: [{ provide: CONTROLLER_CONFIG, useFactory: () => loadControllerConfig(process.env) }],
  exports: [CONTROLLER_CONFIG],
})
export class ConfigModule {}
