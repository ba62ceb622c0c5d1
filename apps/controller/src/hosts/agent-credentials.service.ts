import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { agentAclRules } from '@ovs-fleet/contracts';
import { NotFoundError } from '../common/api-errors';
import { HostQueues } from '../jobs/host-queues';
import { REDIS } from '../redis/redis.module';
import { OPERATION_TTL_S } from '../operations/operation-record';
import { stateKeys } from '../state/state-keys';
import { StateStore } from '../state/state-store';

export const agentUsername = (hostId: string): string => `agent-${hostId}`;

export interface AgentCredentials {
  username: string;
  password: string;
}

/**
 * Each host's agent gets its own Redis user (ACL): it may read its own desired state, use its
 * own queue and write its own status, reports and events, nothing else. Issuing credentials
 * again rotates the password; revoking them removes the user. The controller's own Redis
 * user needs the ACL command for this.
 */
@Injectable()
export class AgentCredentialsService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: StateStore,
    private readonly queues: HostQueues,
  ) {}

  async issue(hostId: string): Promise<AgentCredentials> {
    if (!(await this.store.reader().host(hostId))) throw new NotFoundError('id', `host ${hostId} is not registered`);
    const password = randomBytes(32).toString('base64url');
    await this.redis.call('ACL', 'SETUSER', agentUsername(hostId), ...agentAclRules(hostId, password));
    await this.saveAcl();
    return { username: agentUsername(hostId), password };
  }

  /**
   * Removes the agent's user. Once the host is deleted (drained, and its agent done cleaning
   * up: why one revokes then) its queue goes too, jobs and all, and with it its place among
   * the queues every metrics scrape counts: no agent can take a job from it any more. What
   * the host left (its last document and revision, its agent's status and reports) stays for
   * the operations that still read it, and expires with them; registering the host again
   * keeps it (StateTransaction.stage).
   */
  async revoke(hostId: string): Promise<void> {
    await this.redis.call('ACL', 'DELUSER', agentUsername(hostId));
    await this.saveAcl();
    // Under the write lock: a host registered again meanwhile (a PUT) cannot lose its first job, nor its traces.
    await this.store.exclusive(async (state) => {
      if (await state.host(hostId)) return;
      await this.queues.dropHost(hostId);
      const expiring = this.redis.pipeline();
      for (const key of stateKeys.hostTraces(hostId)) expiring.expire(key, OPERATION_TTL_S);
      const failed = (await expiring.exec())?.find(([error]) => error);
      if (failed) throw failed[0];
    });
  }

  /** Keeps the users across Redis restarts when Redis has an ACL file (docker/redis/redis.conf); without one they live in memory. */
  private async saveAcl(): Promise<void> {
    try {
      await this.redis.call('ACL', 'SAVE');
    } catch (error) {
      if (!/not configured to use an ACL file/i.test((error as Error).message)) throw error;
    }
  }
}
