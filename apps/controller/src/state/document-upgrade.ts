import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DESIRED_STATE_SCHEMA, redisKeys } from '@ovs-fleet/contracts';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { StateStore } from './state-store';

/**
 * At start: when any host's desired-state document was written in another schema (by an
 * older controller), every document is rebuilt in this one, as one change with its operation,
 * so the agents (which refuse a schema they do not know) get their hosts' documents again
 * without waiting for a change to touch each host. Several controllers starting at once do it
 * once: the others find every document current.
 */
@Injectable()
export class DocumentUpgrade implements OnApplicationBootstrap {
  private readonly logger = new Logger(DocumentUpgrade.name);

  constructor(
    private readonly state: StateStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const outdated = await this.outdatedHosts();
      if (outdated.length === 0) return;
      const outcome = await this.state.mutate({ kind: 'documents.upgrade', resource: null, dryRun: false, requestId: null }, async (tx) => {
        if ((await this.outdatedHosts()).length > 0) tx.rebuildEveryHost();
      });
      this.logger.warn(`desired-state documents of ${outdated.length} hosts (${outdated.slice(0, 5).join(', ')}${outdated.length > 5 ? ', ...' : ''}) were in another schema; rebuilt in schema ${DESIRED_STATE_SCHEMA} (operation ${outcome.operation?.id ?? 'none'})`);
    } catch (error) {
      // The controller still serves; the next change that touches a host rewrites its document.
      this.logger.error(`desired-state documents not upgraded: ${(error as Error).message}`);
    }
  }

  /** Hosts whose stored document is in another schema than this controller writes. */
  private async outdatedHosts(): Promise<string[]> {
    const hosts = (await this.state.reader().allHosts()).map((host) => host.id);
    if (hosts.length === 0) return [];
    const texts = await this.redis.mget(hosts.map((id) => redisKeys.hostDesired(id)));
    return hosts.filter((_, i) => {
      const text = texts[i];
      if (text === null) return false;
      try {
        return (JSON.parse(text) as { schema?: unknown }).schema !== DESIRED_STATE_SCHEMA;
      } catch {
        return true;
      }
    });
  }
}
