import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONTROLLER_CONFIG, ControllerConfig } from '../config/controller-config';

/** The command connection every feature shares (no blocking commands on it). */
export const REDIS = Symbol('REDIS');
/** A second connection for pub/sub subscriptions (a subscribed connection can do nothing else). */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

const logger = new Logger('redis');

export function redisConnection(url: string, name: string, options: { autoPipelining?: boolean } = {}): Redis {
  // Fail fast while Redis is away (a request gets a 503), reconnect in the background.
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
    enableAutoPipelining: options.autoPipelining ?? false,
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    if (!reported) logger.warn(`${name}: ${error.message} (reconnecting)`);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [CONTROLLER_CONFIG],
      useFactory: (config: ControllerConfig) =>
        // Auto-pipelining: the commands of many concurrent requests issued in one tick go out in one write.
        redisConnection(config.redisUrl, 'ovs-fleet-controller', { autoPipelining: true }),
    },
    {
      provide: REDIS_SUBSCRIBER,
      inject: [CONTROLLER_CONFIG],
      useFactory: (config: ControllerConfig) => redisConnection(config.redisUrl, 'ovs-fleet-controller-sub'),
    },
  ],
  exports: [REDIS, REDIS_SUBSCRIBER],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.subscriber.quit()]);
  }
}
