import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';

@Module({ imports: [ConfigModule, RedisModule, HealthModule] })
export class AppModule {}
